package io.polygate.session;

import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sessions that an auth plugin built for an extracted id, reused until the session's
 * {@code id_extractor_deadline} (epoch seconds) so the plugin is not called again before then.
 * Local to this gateway node and bounded ({@value #MAX_ENTRIES} entries; expired ones are dropped
 * first). Thread-safe; the cached {@link Session} objects are treated as read-only.
 *
 * <p>Each entry remembers the plugin data keys its {@code auth_check} read ({@code get_data}) and
 * the id of the token it named ({@link PluginSessions#id}); {@link #invalidateData} and {@link #invalidateToken} drop the entries built
 * on a changed data key or key ({@link #invalidatePolicy} those applying a changed policy), so the
 * next request runs the hook again and gets the new limit.
 * The gateway calls them from the change feed, so a change made anywhere reaches every node.
 * A change that arrives while a hook is still running (it may have read the old value) keeps that
 * hook's session out of the cache: {@link #mark()} before the hook, pass it to {@link #put}.
 */
public final class SessionCache {
    static final int MAX_ENTRIES = 100_000;
    /** How long a change is remembered for hooks still running; hooks are stopped long before. */
    private static final long CHANGE_MEMORY_NANOS = 60_000_000_000L;

    /** What the cache hands back: the token the hook named and the session it built. */
    public record Entry(String token, Session session, long deadlineEpochSeconds, Set<String> dataKeys) {}

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** data key -> cache keys of the entries built on it. */
    private final Map<String, Set<String>> byDataKey = new ConcurrentHashMap<>();
    /** data key or "\0token" -> [sequence, nanoTime] of its last change. */
    private final Map<String, long[]> changes = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder invalidated = new LongAdder();

    /** The cached session of {@code id} on {@code apiId}, or null when absent or past its deadline. */
    public Entry get(String apiId, String id, long nowEpochSeconds) {
        String k = apiId + '\u0000' + id;
        Entry e = entries.get(k);
        if (e != null && e.deadlineEpochSeconds() <= nowEpochSeconds) {
            remove(k, e);
            e = null;
        }
        (e == null ? misses : hits).increment();
        return e;
    }

    /** Lookups that found a live session. */
    public long hits() { return hits.sum(); }

    /** Lookups that found none, or one past its deadline. */
    public long misses() { return misses.sum(); }

    /** Sessions dropped because what they were built from changed, their bundle changed, or the cache was cleared. */
    public long invalidations() { return invalidated.sum(); }

    /** A mark to take before running the hook whose session {@link #put} will cache. */
    public long mark() { return sequence.get(); }

    /**
     * Caches a session built from {@code dataKeys}, unless one of them (or the token) changed since
     * {@code mark} (the hook may have read the old value).
     */
    public void put(String apiId, String id, String token, Session session, long nowEpochSeconds, Set<String> dataKeys, long mark) {
        long deadline = session.id_extractor_deadline;
        if (deadline <= nowEpochSeconds) return;
        if (entries.size() >= MAX_ENTRIES) evict(nowEpochSeconds);
        String k = apiId + '\u0000' + id;
        Set<String> keys = Set.copyOf(dataKeys);
        for (String d : keys) byDataKey.computeIfAbsent(d, x -> ConcurrentHashMap.newKeySet()).add(k);
        Entry old = entries.put(k, new Entry(token, session, deadline, keys));
        if (old != null) unindex(k, old, keys);
        // checked after indexing, so a change racing with this put is either seen here or drops the entry
        if (changedSince(mark, keys, token)) remove(k, entries.get(k));
    }

    private boolean changedSince(long mark, Set<String> keys, String token) {
        if (mark == Long.MAX_VALUE) return false;
        for (String d : keys) {
            long[] c = changes.get(d);
            if (c != null && c[0] > mark) return true;
        }
        long[] c = changes.get('\u0000' + token);
        return c != null && c[0] > mark;
    }

    /** A plugin data key ({@code rate:foo}, without {@code coprocess-data:}) changed: drop what was built on it. */
    public int invalidateData(String dataKey) {
        remember(dataKey);
        Set<String> ks = byDataKey.remove(dataKey);
        if (ks == null) return 0;
        int n = 0;
        for (String k : ks) {
            Entry e = entries.get(k);
            if (e != null && e.dataKeys().contains(dataKey) && remove(k, e)) n++;
        }
        invalidated.add(n);
        return n;
    }

    /** A key (token) changed through the admin API or the store: drop the sessions cached for it. */
    public int invalidateToken(String token) {
        remember('\u0000' + token);
        int n = 0;
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            if (token.equals(e.getValue().token()) && remove(e.getKey(), e.getValue())) n++;
        }
        invalidated.add(n);
        return n;
    }

    /** A policy changed (admin API or the store): drop the cached sessions that apply it. */
    public int invalidatePolicy(String policyId) {
        int n = 0;
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            Session s = e.getValue().session();
            boolean applies = policyId.equals(s.apply_policy_id) || (s.apply_policies != null && s.apply_policies.contains(policyId));
            if (applies && remove(e.getKey(), e.getValue())) n++;
        }
        invalidated.add(n);
        return n;
    }

    /** Drops every cached session of an API (its bundle changed). */
    public void invalidate(String apiId) {
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            if (e.getKey().startsWith(apiId + '\u0000') && remove(e.getKey(), e.getValue())) invalidated.increment();
        }
    }

    /** Drops everything (changes may have been missed, e.g. while the store was unreachable). */
    public void clear() {
        sequence.incrementAndGet();
        invalidated.add(entries.size());
        entries.clear();
        byDataKey.clear();
    }

    public int size() { return entries.size(); }

    private void remember(String what) {
        long now = System.nanoTime();
        changes.put(what, new long[] {sequence.incrementAndGet(), now});
        if (changes.size() > 10_000) changes.values().removeIf(c -> now - c[1] > CHANGE_MEMORY_NANOS);
    }

    private boolean remove(String k, Entry e) {
        if (e == null || !entries.remove(k, e)) return false;
        unindex(k, e, Set.of());
        return true;
    }

    private void unindex(String k, Entry e, Set<String> keep) {
        for (String d : e.dataKeys()) {
            if (keep.contains(d)) continue;
            Set<String> s = byDataKey.get(d);
            if (s != null) s.remove(k);
        }
    }

    private void evict(long now) {
        entries.forEach((k, e) -> { if (e.deadlineEpochSeconds() <= now) remove(k, e); });
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (entries.size() >= MAX_ENTRIES && it.hasNext()) {
            Map.Entry<String, Entry> e = it.next();
            remove(e.getKey(), e.getValue());
        }
    }
}
