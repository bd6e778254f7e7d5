package io.polygate.plugin;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The plugin data keys ({@code tyk.get_data}) a hook read while it ran, so that a session an
 * {@code auth_check} built can be dropped from the cache when one of them changes. The thread
 * running a hook marks its call ({@link #begin}); {@code get_data} records into the call marked
 * on its thread, which is exact because a thread runs one hook at a time.
 */
public final class DataReads {
    private static final ThreadLocal<HookCall> RUNNING = new ThreadLocal<>();

    private DataReads() {}

    /** Marks {@code call} as the hook call running on this thread, until {@link #end}. */
    public static void begin(HookCall call) { RUNNING.set(call); }

    public static void end() { RUNNING.remove(); }

    /** Called by {@code get_data} with the key as the plugin gave it (without {@code coprocess-data:}). */
    public static void record(String key) {
        HookCall call = RUNNING.get();
        if (call == null) return;
        if (call.dataRead == null) call.dataRead = new LinkedHashSet<>();
        call.dataRead.add(key);
    }

    /** What the hook of {@code call} read, in order; empty if nothing. */
    public static Set<String> of(HookCall call) {
        return call.dataRead == null ? Set.of() : call.dataRead;
    }
}
