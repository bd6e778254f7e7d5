package io.polygate.plugin;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The plugin data keys ({@code tyk.get_data}) a hook read while it ran on this thread, so that a
 * session an {@code auth_check} built can be dropped from the cache when one of them changes.
 * A hook runs on the request thread that called it, so a thread-local is exact.
 *
 * <p>Threading: each method works on the calling thread's record only.
 */
public final class DataReads {
    private static final ThreadLocal<Set<String>> CURRENT = new ThreadLocal<>();

    private DataReads() {}

    /** Starts recording on this thread (forgets an earlier record). */
    public static void start() { CURRENT.set(new LinkedHashSet<>()); }

    /** Called by {@code get_data} with the key as the plugin gave it (without {@code coprocess-data:}). */
    public static void record(String key) {
        Set<String> s = CURRENT.get();
        if (s != null) s.add(key);
    }

    /** Stops recording and returns what was read since {@link #start()} (empty if not started). */
    public static Set<String> stop() {
        Set<String> s = CURRENT.get();
        CURRENT.remove();
        return s == null ? Set.of() : s;
    }
}
