package io.polygate.limit;

import java.time.Duration;

/**
 * The answer of one limiter check (after Bucket4j's {@code ConsumptionProbe}). Being over the
 * limit is a decision, not an exception.
 *
 * @param allowed    whether the request may go on
 * @param limit      the limit that was checked (requests per window), for {@code X-RateLimit-Limit}
 * @param remaining  requests still allowed now, never negative
 * @param resetAfter time until the allowance is full again (or the window resets)
 * @param retryAfter when denied, how long until a retry can succeed; zero when allowed
 */
public record Decision(boolean allowed, long limit, long remaining, Duration resetAfter, Duration retryAfter) {

    public static Decision allowed(long limit, long remaining, Duration resetAfter) {
        return new Decision(true, limit, Math.max(0, remaining), resetAfter, Duration.ZERO);
    }

    public static Decision denied(long limit, Duration resetAfter, Duration retryAfter) {
        return new Decision(false, limit, 0, resetAfter, retryAfter);
    }
}
