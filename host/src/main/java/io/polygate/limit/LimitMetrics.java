package io.polygate.limit;

import io.polygate.observability.Metrics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the limit layer: in the Prometheus text at {@code /metrics}
 * ({@code polygate_limit_*_total}) and as JSON at {@code GET /limits/stats}. Thread-safe,
 * allocation-free to increment.
 */
public final class LimitMetrics {
    /** Checks that failed because the limiter store (Redis) could not be reached. */
    public final LongAdder storeErrors;
    /** Checks answered by the in-memory stand-in while the store was down ({@code on_store_error: allow}). */
    public final LongAdder failedOpen;
    /** Requests refused with 503 while the store was down ({@code on_store_error: deny}). */
    public final LongAdder failedClosed;
    /** Requests answered 429. */
    public final LongAdder rateLimited;
    /** Requests answered 403 "Quota exceeded". */
    public final LongAdder quotaExceeded;
    /** Denied checks that were retried later (throttling), and how many requests got through that way. */
    public final LongAdder throttleRetries;
    public final LongAdder throttlePassed;
    /** Smoothing allowance changes. */
    public final LongAdder smoothingUp;
    public final LongAdder smoothingDown;

    private final Map<String, LongAdder> byName = new LinkedHashMap<>();

    /** Counters registered in {@code metrics}, or standalone ones when it is null. */
    public LimitMetrics(Metrics metrics) {
        storeErrors = add(metrics, "store_errors", "Limiter checks that failed because the store (Redis) was unreachable");
        failedOpen = add(metrics, "failed_open", "Limiter checks answered by the in-memory stand-in while the store was down");
        failedClosed = add(metrics, "failed_closed", "Requests refused with 503 because the limiter store was down");
        rateLimited = add(metrics, "rate_limited", "Requests answered 429 by a rate limit");
        quotaExceeded = add(metrics, "quota_exceeded", "Requests answered 403 because the key's quota was used up");
        throttleRetries = add(metrics, "throttle_retries", "Denied requests checked again after throttle_interval");
        throttlePassed = add(metrics, "throttle_passed", "Throttled requests that got through on a later check");
        smoothingUp = add(metrics, "smoothing_up", "Smoothing steps that raised a key's allowance");
        smoothingDown = add(metrics, "smoothing_down", "Smoothing steps that lowered a key's allowance");
    }

    public LimitMetrics() { this(null); }

    private LongAdder add(Metrics metrics, String name, String help) {
        LongAdder a = metrics == null ? new LongAdder() : metrics.counter("polygate_limit_" + name + "_total", help);
        byName.put(name, a);
        return a;
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        byName.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }
}
