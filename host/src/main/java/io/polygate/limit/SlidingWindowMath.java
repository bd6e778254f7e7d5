package io.polygate.limit;

import java.time.Duration;

/**
 * The sliding window counter's arithmetic (Kong's weighted previous window), shared by the
 * in-memory limiter and the Redis one (whose script makes the same admit decision in Lua,
 * {@code RedisSlidingWindowCounter.lua}) so that both report the same figures.
 */
public final class SlidingWindowMath {
    private SlidingWindowMath() {}

    /** Whether {@code permits} more fit: {@code previous * (share of it still in view) + current + permits <= limit}. */
    public static boolean admits(long limit, long windowMillis, long elapsedMillis, long previous, long current, long permits) {
        double weight = (double) (windowMillis - elapsedMillis) / windowMillis;
        return previous * weight + current + permits <= limit + 1e-9;
    }

    /**
     * The decision for a check whose admit answer is {@code allowed}; {@code current} is the count
     * of the current window before this request.
     */
    public static Decision decision(boolean allowed, long limit, long windowMillis, long elapsedMillis, long previous,
                                    long current, long permits) {
        double weight = (double) (windowMillis - elapsedMillis) / windowMillis;
        double estimate = previous * weight + current;
        long toWindowEnd = windowMillis - elapsedMillis;
        if (allowed) {
            long remaining = (long) Math.floor(limit - estimate - permits + 1e-9);
            // the estimate falls to the current count by the window end, then decays over the next
            return Decision.allowed(limit, remaining, Duration.ofMillis(toWindowEnd + windowMillis));
        }
        return Decision.denied(limit, Duration.ofMillis(toWindowEnd + windowMillis),
                Duration.ofMillis(Math.max(1, retryMillis(limit, windowMillis, elapsedMillis, previous, current, permits))));
    }

    /** How long until {@code estimate + permits <= limit}, assuming no other request is counted meanwhile. */
    static long retryMillis(long limit, long windowMillis, long elapsedMillis, long previous, long current, long permits) {
        long toWindowEnd = windowMillis - elapsedMillis;
        double room = limit - permits - current; // what the previous window's weighted count may still be
        if (room >= 0 && previous > 0) {
            // previous * (w - e - t) / w <= room  =>  t >= w - e - room * w / previous
            double t = toWindowEnd - room * windowMillis / previous;
            return (long) Math.ceil(Math.max(t, 0));
        }
        // in the next window the current count becomes the previous one
        if (current <= 0) return toWindowEnd;
        double x = windowMillis * (1 - (double) (limit - permits) / current); // time into the next window
        return toWindowEnd + (long) Math.ceil(Math.max(x, 0));
    }
}
