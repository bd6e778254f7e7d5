package io.polygate.auth.session;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions that an auth plugin built for an extracted id, reused until the session's
 * {@code id_extractor_deadline} (epoch seconds) so the plugin is not called again before then.
 * Local to this gateway node and bounded ({@value #MAX_ENTRIES} entries; expired ones are dropped
 * first). Thread-safe; the cached {@link Session} objects are treated as read-only.
 */
public final class SessionCache {
    static final int MAX_ENTRIES = 100_000;

    /** What the cache hands back: the token the hook named and the session it built. */
    public record Entry(String token, Session session, long deadlineEpochSeconds) {}

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /** The cached session of {@code id} on {@code apiId}, or null when absent or past its deadline. */
    public Entry get(String apiId, String id, long nowEpochSeconds) {
        String k = apiId + '\u0000' + id;
        Entry e = entries.get(k);
        if (e == null) return null;
        if (e.deadlineEpochSeconds() <= nowEpochSeconds) {
            entries.remove(k, e);
            return null;
        }
        return e;
    }

    /** Caches a session whose deadline is in the future; does nothing otherwise. */
    public void put(String apiId, String id, String token, Session session, long nowEpochSeconds) {
        long deadline = session.id_extractor_deadline;
        if (deadline <= nowEpochSeconds) return;
        if (entries.size() >= MAX_ENTRIES) evict(nowEpochSeconds);
        entries.put(apiId + '\u0000' + id, new Entry(token, session, deadline));
    }

    /** Drops every cached session of an API (its bundle changed). */
    public void invalidate(String apiId) {
        entries.keySet().removeIf(k -> k.startsWith(apiId + '\u0000'));
    }

    public int size() { return entries.size(); }

    private void evict(long now) {
        entries.values().removeIf(e -> e.deadlineEpochSeconds() <= now);
        Iterator<String> it = entries.keySet().iterator();
        while (entries.size() >= MAX_ENTRIES && it.hasNext()) {
            it.next();
            it.remove();
        }
    }
}
