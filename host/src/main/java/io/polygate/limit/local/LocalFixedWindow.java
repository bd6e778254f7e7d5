package io.polygate.limit.local;

import io.polygate.config.Algorithm;
import io.polygate.limit.Decision;
import io.polygate.limit.RateLimiter;
import java.time.Duration;
import java.time.InstantSource;

/**
 * One counter per key and window; windows are aligned to the epoch ({@code floor(now / per)}) so
 * every node and the Redis twin agree on where a window starts.
 */
public final class LocalFixedWindow implements RateLimiter {
    private static final class Window extends LocalStates.Expiring {
        long index = Long.MIN_VALUE;
        long windowMillis;
        long count;
    }

    private final LocalStates<Window> windows = new LocalStates<>(k -> new Window());
    private final InstantSource clock;

    public LocalFixedWindow(InstantSource clock) { this.clock = clock; }

    @Override public Algorithm algorithm() { return Algorithm.FIXED_WINDOW; }

    @Override
    public Decision tryAcquire(String key, double rate, double perSeconds, long permits) {
        long now = clock.millis();
        long limit = RateLimiter.windowLimit(rate);
        long window = RateLimiter.windowMillis(perSeconds);
        long index = Math.floorDiv(now, window);
        Duration reset = Duration.ofMillis((index + 1) * window - now);
        Window w = windows.get(key, now);
        synchronized (w) {
            if (w.index != index || w.windowMillis != window) {
                w.index = index;
                w.windowMillis = window;
                w.count = 0;
            }
            w.expiresAtMillis = (index + 1) * window + 1;
            if (w.count + permits <= limit) {
                w.count += permits;
                return Decision.allowed(limit, limit - w.count, reset);
            }
            return Decision.denied(limit, reset, reset);
        }
    }
}
