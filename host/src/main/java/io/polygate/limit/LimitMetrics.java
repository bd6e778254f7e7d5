package io.polygate.limit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the limit layer, for {@code GET /limits/stats} on the admin API (and a Prometheus
 * exporter later). Thread-safe, allocation-free to increment.
 */
public final class LimitMetrics {
    /** Checks that failed because the limiter store (Redis) could not be reached. */
    public final LongAdder storeErrors = new LongAdder();
    /** Checks answered by the in-memory stand-in while the store was down ({@code on_store_error: allow}). */
    public final LongAdder failedOpen = new LongAdder();
    /** Requests refused with 503 while the store was down ({@code on_store_error: deny}). */
    public final LongAdder failedClosed = new LongAdder();
    /** Requests answered 429. */
    public final LongAdder rateLimited = new LongAdder();
    /** Requests answered 403 "Quota exceeded". */
    public final LongAdder quotaExceeded = new LongAdder();
    /** Denied checks that were retried later (throttling), and how many of those got through. */
    public final LongAdder throttleRetries = new LongAdder();
    public final LongAdder throttlePassed = new LongAdder();
    /** Smoothing allowance changes. */
    public final LongAdder smoothingUp = new LongAdder();
    public final LongAdder smoothingDown = new LongAdder();

    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("store_errors", storeErrors.sum());
        m.put("failed_open", failedOpen.sum());
        m.put("failed_closed", failedClosed.sum());
        m.put("rate_limited", rateLimited.sum());
        m.put("quota_exceeded", quotaExceeded.sum());
        m.put("throttle_retries", throttleRetries.sum());
        m.put("throttle_passed", throttlePassed.sum());
        m.put("smoothing_up", smoothingUp.sum());
        m.put("smoothing_down", smoothingDown.sum());
        return m;
    }
}
