package io.polygate.limit.local;

import io.polygate.config.Algorithm;
import io.polygate.limit.Decision;
import io.polygate.limit.RateLimiter;
import io.polygate.limit.SlidingWindowMath;
import java.time.InstantSource;

/**
 * Kong's sliding window counter in memory: counts for the current and the previous aligned window;
 * the estimate is {@code previous * (share of the previous window still in view) + current}.
 */
public final class LocalSlidingWindow implements RateLimiter {
    private static final class Counts extends LocalStates.Expiring {
        long index = Long.MIN_VALUE;
        long windowMillis;
        long current;
        long previous;
    }

    private final LocalStates<Counts> counts = new LocalStates<>(k -> new Counts());
    private final InstantSource clock;

    public LocalSlidingWindow(InstantSource clock) { this.clock = clock; }

    @Override public Algorithm algorithm() { return Algorithm.SLIDING_WINDOW; }

    @Override
    public Decision tryAcquire(String key, double rate, double perSeconds, long permits) {
        long now = clock.millis();
        long limit = RateLimiter.windowLimit(rate);
        long window = RateLimiter.windowMillis(perSeconds);
        long index = Math.floorDiv(now, window);
        Counts c = counts.get(key, now);
        synchronized (c) {
            if (c.windowMillis != window) {
                c.index = index;
                c.windowMillis = window;
                c.current = 0;
                c.previous = 0;
            } else if (c.index != index) {
                c.previous = c.index == index - 1 ? c.current : 0;
                c.current = 0;
                c.index = index;
            }
            c.expiresAtMillis = (index + 2) * window + 1;
            long elapsed = now - index * window;
            boolean allowed = SlidingWindowMath.admits(limit, window, elapsed, c.previous, c.current, permits);
            Decision d = SlidingWindowMath.decision(allowed, limit, window, elapsed, c.previous, c.current, permits);
            if (allowed) c.current += permits;
            return d;
        }
    }
}
