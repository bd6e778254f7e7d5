package io.polygate.limit.local;

import io.polygate.limit.Decision;
import io.polygate.limit.RateLimiter;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-process token bucket per key: capacity {@code rate}, refilled continuously at
 * {@code rate / per} tokens per second. A burst of {@code rate} requests passes, the next is
 * denied until a token has been refilled. A changed rate applies on the next call and keeps
 * what was consumed: 3 taken of 10, then the limit becomes 15, leaves 12 (15 in the window in all).
 */
public final class LocalTokenBucket implements RateLimiter {
    private static final class Bucket {
        double tokens;
        long lastNanos;
        double capacity;
    }

    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final InstantSource clock;

    public LocalTokenBucket(InstantSource clock) { this.clock = clock; }

    @Override
    public Decision tryAcquire(String key, double rate, double perSeconds, long permits) {
        java.time.Instant t = clock.instant();
        long now = t.getEpochSecond() * 1_000_000_000L + t.getNano();
        Bucket b = buckets.computeIfAbsent(key, k -> {
            Bucket fresh = new Bucket();
            fresh.tokens = rate;
            fresh.capacity = rate;
            fresh.lastNanos = now;
            return fresh;
        });
        double perToken = perSeconds / rate; // seconds per token
        synchronized (b) {
            if (b.capacity != rate) {
                // the limit changed: what was consumed still counts against the new capacity
                b.tokens = b.capacity <= 0 ? rate : Math.max(0, b.tokens + (rate - b.capacity));
                b.capacity = rate;
            }
            double elapsed = Math.max(0, (now - b.lastNanos) / 1e9);
            b.tokens = Math.min(rate, b.tokens + elapsed / perToken);
            b.lastNanos = now;
            long limit = (long) Math.ceil(rate);
            Duration reset = Duration.ofMillis((long) Math.ceil((rate - b.tokens) * perToken * 1000));
            if (b.tokens >= permits) {
                b.tokens -= permits;
                return Decision.allowed(limit, (long) Math.floor(b.tokens), Duration.ofMillis((long) Math.ceil((rate - b.tokens) * perToken * 1000)));
            }
            Duration retry = Duration.ofMillis((long) Math.ceil((permits - b.tokens) * perToken * 1000));
            return Decision.denied(limit, reset, retry);
        }
    }
}
