package io.polygate.limit.local;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Per-key state of an in-memory limiter, with expiry: a state not touched for its window is
 * dropped by a sweep that runs every {@value #SWEEP_EVERY} calls, so idle keys do not pile up.
 */
final class LocalStates<S extends LocalStates.Expiring> {
    static final int SWEEP_EVERY = 4096;

    /** A state that knows when it stops mattering. Guarded by its own monitor. */
    abstract static class Expiring {
        long expiresAtMillis;
    }

    private final ConcurrentHashMap<String, S> map = new ConcurrentHashMap<>();
    private final Function<String, S> factory;
    private int calls;

    LocalStates(Function<String, S> factory) { this.factory = factory; }

    S get(String key, long nowMillis) {
        if ((++calls & (SWEEP_EVERY - 1)) == 0) sweep(nowMillis); // racy counter: an occasional sweep is all it needs
        return map.computeIfAbsent(key, factory);
    }

    /** The state of {@code key}, or null; never creates one. */
    S peek(String key) { return map.get(key); }

    void sweep(long nowMillis) {
        map.forEach((k, s) -> {
            synchronized (s) {
                if (s.expiresAtMillis != 0 && s.expiresAtMillis < nowMillis) map.remove(k, s);
            }
        });
    }
}
