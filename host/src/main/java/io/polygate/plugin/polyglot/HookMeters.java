package io.polygate.plugin.polyglot;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.polygate.observability.Metrics;
import io.polygate.plugin.HookException;
import io.polygate.sdk.manifest.HookRef;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The hook series of one bundle, labelled {@code bundle}, {@code hook} (the function's name) and
 * {@code phase} (the manifest field: {@code pre}, {@code auth_check}, {@code post_key_auth},
 * {@code post}, {@code response}): {@code polygate_hook_duration_seconds},
 * {@code polygate_hook_errors_total} and {@code polygate_hook_timeouts_total}. A hook's meters are
 * registered at its first call and shared by every version of the bundle.
 */
final class HookMeters {
    private record Series(Timer duration, Counter errors, Counter timeouts) {}

    private final Metrics metrics;
    private final String bundle;
    private final Map<HookRef, Series> hooks = new ConcurrentHashMap<>();

    HookMeters(Metrics metrics, String bundle) {
        this.metrics = metrics;
        this.bundle = bundle;
    }

    /** A call that ran on a context: its time, and how it failed (null: it did not). */
    void ran(HookRef hook, long nanos, Exception failure) {
        Series s = series(hook);
        s.duration.record(nanos, TimeUnit.NANOSECONDS);
        if (failure != null) failed(s, failure);
    }

    /** A call refused before it ran (the bundle busy or closed). */
    void refused(HookRef hook, HookException why) { failed(series(hook), why); }

    private static void failed(Series s, Exception failure) {
        if (failure instanceof HookException h && h.kind() == HookException.Kind.TIMEOUT) s.timeouts.increment();
        else s.errors.increment();
    }

    private Series series(HookRef hook) {
        Series s = hooks.get(hook);
        return s != null ? s : hooks.computeIfAbsent(hook, this::register);
    }

    private Series register(HookRef hook) {
        String[] tags = {"bundle", bundle, "hook", hook.name(), "phase", hook.type().field()};
        return new Series(
                metrics.timer("polygate.hook.duration", "Time a hook ran on a plugin context, by bundle, hook and phase", tags),
                metrics.counter("polygate.hook.errors", "Hook calls that failed (plugin error, store error, memory stop, bundle busy or closed), "
                        + "by bundle, hook and phase", tags),
                metrics.counter("polygate.hook.timeouts", "Hook calls stopped at the hook time limit, by bundle, hook and phase", tags));
    }
}
