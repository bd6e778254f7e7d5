package io.polygate.limit.local;

import io.polygate.config.Algorithm;
import io.polygate.limit.Decision;
import io.polygate.limit.RateLimiter;
import java.time.Duration;
import java.time.InstantSource;

/**
 * The sliding log in memory: the times of the newest {@code limit} counted requests per key (a ring
 * that grows with use, never past {@code limit}); a
 * request is allowed when fewer than {@code limit} of them fall in the last {@code per} seconds.
 * Keeping only the newest {@code limit} entries is exact for both modes: when rejected requests
 * count ({@code countRejected}), a denied request replaces the oldest entry, as Tyk's log does.
 * With {@code sentinel}, a denial blocks the key for {@code per} seconds whatever the log says.
 */
public final class LocalSlidingLog implements RateLimiter {
    private static final class Log extends LocalStates.Expiring {
        long[] times = new long[0]; // ring, oldest at head
        int head;
        int size;
        long blockedUntil;
    }

    private final LocalStates<Log> logs = new LocalStates<>(k -> new Log());
    private final InstantSource clock;
    private final boolean countRejected;
    private final boolean sentinel;

    public LocalSlidingLog(InstantSource clock, boolean countRejected, boolean sentinel) {
        this.clock = clock;
        this.countRejected = countRejected;
        this.sentinel = sentinel;
    }

    @Override public Algorithm algorithm() { return sentinel ? Algorithm.SENTINEL : Algorithm.SLIDING_LOG; }

    @Override
    public Decision tryAcquire(String key, double rate, double perSeconds, long permits) {
        long now = clock.millis();
        long limit = RateLimiter.windowLimit(rate);
        long window = RateLimiter.windowMillis(perSeconds);
        Log log = logs.get(key, now);
        synchronized (log) {
            log.expiresAtMillis = Math.max(now + window, log.blockedUntil) + 1;
            int capacity = (int) Math.min(limit, Integer.MAX_VALUE - 8);
            // the ring grows with use up to the limit, so a large limit costs memory only when used
            if (log.times.length > capacity) resize(log, capacity);
            else if (log.size + permits > log.times.length && log.times.length < capacity)
                resize(log, (int) Math.min(capacity, Math.max(8, Math.max(log.size + permits, 2L * log.times.length))));
            // drop what slid out of the window
            while (log.size > 0 && log.times[log.head] <= now - window) {
                log.head = (log.head + 1) % log.times.length;
                log.size--;
            }
            if (sentinel && log.blockedUntil > now) {
                Duration wait = Duration.ofMillis(log.blockedUntil - now);
                return Decision.denied(limit, wait, wait);
            }
            if (log.size + permits <= limit) {
                for (long i = 0; i < permits; i++) push(log, now);
                // the allowance is whole again once this, the newest request, has left the window
                return Decision.allowed(limit, limit - log.size, Duration.ofMillis(window));
            }
            if (sentinel) {
                log.blockedUntil = now + window;
                Duration wait = Duration.ofMillis(window);
                return Decision.denied(limit, wait, wait);
            }
            if (countRejected) for (long i = 0; i < permits; i++) push(log, now);
            // the oldest counted request leaves the window first; with permits > 1 more must leave
            int idx = (int) ((log.head + Math.max(0, Math.min(log.size - 1, log.size + permits - limit - 1))) % log.times.length);
            long wait = Math.max(1, log.times[idx] + window - now);
            long newest = log.times[(log.head + log.size - 1) % log.times.length];
            return Decision.denied(limit, Duration.ofMillis(newest + window - now), Duration.ofMillis(wait));
        }
    }

    private static void push(Log log, long now) {
        if (log.times.length == 0) return;
        if (log.size == log.times.length) {
            log.times[log.head] = now; // overwrite the oldest
            log.head = (log.head + 1) % log.times.length;
        } else {
            log.times[(log.head + log.size) % log.times.length] = now;
            log.size++;
        }
    }

    private static void resize(Log log, int capacity) {
        long[] next = new long[capacity];
        int keep = Math.min(log.size, capacity);
        // keep the newest entries
        for (int i = 0; i < keep; i++)
            next[i] = log.times[(log.head + log.size - keep + i) % log.times.length];
        log.times = next;
        log.head = 0;
        log.size = keep;
    }
}
