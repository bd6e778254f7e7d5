package io.polygate.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The request series of one API: {@code polygate_requests_total} by status class,
 * {@code polygate_request_duration_seconds} by method and exact status, and
 * {@code polygate_upstream_duration_seconds}. A (method, status) series is registered the first
 * time it is seen and kept in a slot, so recording a request is an array read and a timer update.
 */
public final class RequestMeters {
    /** The method label: one of these, or {@code OTHER}. */
    static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "OTHER"};
    private static final String[] CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};
    private static final int MIN_STATUS = 100;
    private static final int STATUSES = 500;

    private final Metrics metrics;
    private final String api;
    private final AtomicReferenceArray<Timer> durations = new AtomicReferenceArray<>(METHODS.length * STATUSES);
    private final AtomicReferenceArray<Counter> byClass = new AtomicReferenceArray<>(CLASSES.length);
    private final Timer upstream;

    RequestMeters(Metrics metrics, String api) {
        this.metrics = metrics;
        this.api = api;
        this.upstream = metrics.timer("polygate.upstream.duration",
                "Time from handing the request to the upstream until its response was written to the client, by API", "api", api);
    }

    /** One finished request: {@code status} 100-599 (anything else counts as 599). */
    public void record(String method, int status, long nanos) {
        int s = status < MIN_STATUS || status >= MIN_STATUS + STATUSES ? 599 : status;
        int slot = methodIndex(method) * STATUSES + s - MIN_STATUS;
        Timer t = durations.get(slot);
        if (t == null) {
            t = metrics.timer("polygate.request.duration", "Time from request to the end of the response, by API, method and status",
                    "api", api, "method", METHODS[slot / STATUSES], "status", Integer.toString(s));
            durations.set(slot, t);
        }
        t.record(nanos, TimeUnit.NANOSECONDS);
        int c = s / 100 - 1;
        Counter n = byClass.get(c);
        if (n == null) {
            n = metrics.counter("polygate.requests", "Requests answered, by API and status class", "api", api, "code", CLASSES[c]);
            byClass.set(c, n);
        }
        n.increment();
    }

    /** The time a request spent with the upstream. */
    public void upstream(long nanos) { upstream.record(nanos, TimeUnit.NANOSECONDS); }

    /** Index of the method's label in {@link #METHODS}; methods outside the standard set are OTHER. */
    static int methodIndex(String method) {
        return switch (method) {
            case "GET" -> 0;
            case "HEAD" -> 1;
            case "POST" -> 2;
            case "PUT" -> 3;
            case "DELETE" -> 4;
            case "PATCH" -> 5;
            case "OPTIONS" -> 6;
            case "TRACE" -> 7;
            case "CONNECT" -> 8;
            default -> 9;
        };
    }
}
