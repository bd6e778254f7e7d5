package io.polygate.limit;

import io.micrometer.core.instrument.Counter;
import io.polygate.observability.Metrics;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counters of the limit layer: in the Prometheus text at {@code /metrics}
 * ({@code polygate_limit_*_total}, {@code polygate_limiter_decisions_total}) and as JSON at
 * {@code GET /limits/stats}. Thread-safe, allocation-free to increment.
 */
public final class LimitMetrics {
    /** Checks that failed because the limiter store (Redis) could not be reached. */
    public final Counter storeErrors;
    /** Checks answered by the in-memory stand-in while the store was down ({@code on_store_error: allow}). */
    public final Counter failedOpen;
    /** Requests refused with 503 while the store was down ({@code on_store_error: deny}). */
    public final Counter failedClosed;
    /** Requests answered 429. */
    public final Counter rateLimited;
    /** Requests answered 403 "Quota exceeded". */
    public final Counter quotaExceeded;
    /** Denied checks that were retried later (throttling), and how many requests got through that way. */
    public final Counter throttleRetries;
    public final Counter throttlePassed;
    /** Smoothing allowance changes. */
    public final Counter smoothingUp;
    public final Counter smoothingDown;

    private final Metrics metrics;
    private final Map<String, Counter> byName = new LinkedHashMap<>();

    public LimitMetrics(Metrics metrics) {
        this.metrics = metrics;
        storeErrors = add("store_errors", "Limiter checks that failed because the store (Redis) was unreachable");
        failedOpen = add("failed_open", "Limiter checks answered by the in-memory stand-in while the store was down");
        failedClosed = add("failed_closed", "Requests refused with 503 because the limiter store was down");
        rateLimited = add("rate_limited", "Requests answered 429 by a rate limit");
        quotaExceeded = add("quota_exceeded", "Requests answered 403 because the key's quota was used up");
        throttleRetries = add("throttle_retries", "Denied requests checked again after throttle_interval");
        throttlePassed = add("throttle_passed", "Throttled requests that got through on a later check");
        smoothingUp = add("smoothing_up", "Smoothing steps that raised a key's allowance");
        smoothingDown = add("smoothing_down", "Smoothing steps that lowered a key's allowance");
    }

    private Counter add(String name, String help) {
        Counter c = metrics.counter("polygate.limit." + name, help);
        byName.put(name, c);
        return c;
    }

    /** The decision counters of one API's limits step, made when its route is built. */
    LimiterDecisions decisions(String apiId) { return new LimiterDecisions(metrics, apiId); }

    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        byName.forEach((k, v) -> m.put(k, (long) v.count()));
        return m;
    }
}
