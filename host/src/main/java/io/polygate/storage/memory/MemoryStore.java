package io.polygate.storage.memory;

import io.polygate.storage.Store;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded store: a concurrent map with lazy expiry (an expired entry is dropped when it is
 * next read, and by {@link #keys}). Data lives as long as the process.
 */
public final class MemoryStore implements Store {
    private record Entry(String value, long expiresAtMillis) {
        boolean expired(long now) { return expiresAtMillis > 0 && now >= expiresAtMillis; }
    }

    private final Map<String, Entry> map = new ConcurrentHashMap<>();
    private final InstantSource clock;
    private volatile java.util.function.Consumer<String> onChange = k -> { };

    /** Called with each key that is set or deleted (expiry is seen when the key is next read). */
    void onChange(java.util.function.Consumer<String> listener) { this.onChange = listener; }

    public MemoryStore(InstantSource clock) { this.clock = clock; }

    public MemoryStore() { this(InstantSource.system()); }

    private long deadline(Duration ttl) {
        return ttl == null || ttl.isZero() || ttl.isNegative() ? 0 : clock.millis() + ttl.toMillis();
    }

    @Override
    public String get(String key) {
        Entry e = map.get(key);
        if (e == null) return null;
        if (e.expired(clock.millis())) {
            if (map.remove(key, e)) onChange.accept(key);
            return null;
        }
        return e.value;
    }

    @Override
    public void set(String key, String value, Duration ttl) {
        map.put(key, new Entry(value, deadline(ttl)));
        onChange.accept(key);
    }

    @Override
    public boolean setIfAbsent(String key, String value, Duration ttl) {
        Entry fresh = new Entry(value, deadline(ttl));
        long now = clock.millis();
        boolean[] set = {false};
        map.compute(key, (k, old) -> {
            if (old == null || old.expired(now)) { set[0] = true; return fresh; }
            return old;
        });
        if (set[0]) onChange.accept(key);
        return set[0];
    }

    @Override
    public boolean delete(String key) {
        Entry e = map.remove(key);
        if (e != null) onChange.accept(key);
        return e != null && !e.expired(clock.millis());
    }

    @Override
    public List<String> keys(String prefix) {
        long now = clock.millis();
        List<String> out = new ArrayList<>();
        map.forEach((k, e) -> {
            if (!k.startsWith(prefix)) return;
            if (e.expired(now)) map.remove(k, e);
            else out.add(k);
        });
        return out;
    }

    @Override public String describe() { return "memory"; }

    @Override public boolean ping() { return true; }

    @Override public boolean remote() { return false; }

    @Override public void close() { }
}
