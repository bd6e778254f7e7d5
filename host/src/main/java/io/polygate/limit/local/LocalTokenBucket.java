package io.polygate.limit.local;

import io.polygate.config.Algorithm;
import io.polygate.limit.Decision;
import io.polygate.limit.RateLimiter;
import java.time.Duration;
import java.time.InstantSource;

/**
 * An in-process token bucket per key: capacity {@code rate}, refilled continuously at
 * {@code rate / per} tokens per second. A burst of {@code rate} requests passes, the next is
 * denied until a token has been refilled. A changed rate applies on the next call and keeps
 * what was consumed: 3 taken of 10, then the limit becomes 15, leaves 12 (15 in the window in all).
 */
public final class LocalTokenBucket implements RateLimiter {
    private static final class Bucket extends LocalStates.Expiring {
        double tokens = -1;
        long lastMicros;
        double capacity;
    }

    private final LocalStates<Bucket> buckets = new LocalStates<>(k -> new Bucket());
    private final InstantSource clock;

    public LocalTokenBucket(InstantSource clock) { this.clock = clock; }

    @Override public Algorithm algorithm() { return Algorithm.TOKEN_BUCKET; }

    @Override
    public Decision tryAcquire(String key, double rate, double perSeconds, long permits) {
        java.time.Instant t = clock.instant();
        long now = t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
        Bucket b = buckets.get(key, now / 1000);
        double perToken = perSeconds / rate; // seconds per token
        synchronized (b) {
            if (b.tokens < 0) {
                b.tokens = rate;
                b.capacity = rate;
                b.lastMicros = now;
            } else if (b.capacity != rate) {
                // the limit changed: what was consumed still counts against the new capacity
                b.tokens = b.capacity <= 0 ? rate : Math.max(0, b.tokens + (rate - b.capacity));
                b.capacity = rate;
            }
            double elapsed = Math.max(0, (now - b.lastMicros) / 1e6);
            b.tokens = Math.min(rate, b.tokens + elapsed / perToken);
            b.lastMicros = Math.max(now, b.lastMicros);
            b.expiresAtMillis = now / 1000 + (long) Math.ceil(perSeconds * 1000) + 1;
            long limit = (long) Math.ceil(rate);
            if (b.tokens >= permits) {
                b.tokens -= permits;
                return Decision.allowed(limit, (long) Math.floor(b.tokens + 1e-9), millis((rate - b.tokens) * perToken));
            }
            return Decision.denied(limit, millis((rate - b.tokens) * perToken), millis((permits - b.tokens) * perToken));
        }
    }

    static Duration millis(double seconds) {
        return Duration.ofMillis(Math.max(0, (long) Math.ceil(seconds * 1000 - 1e-6)));
    }
}
