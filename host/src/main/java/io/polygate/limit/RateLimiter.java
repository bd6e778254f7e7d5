package io.polygate.limit;

/**
 * One rate limiting algorithm over one store. Keys are made by the caller (an identifier
 * extractor); the limiter only counts.
 *
 * <p>Threading: called concurrently for the same and different keys; each check is atomic.
 * Blocking: a Redis implementation does one round trip per check.
 */
public interface RateLimiter {
    /**
     * Takes {@code permits} from {@code key}'s allowance of {@code rate} per {@code perSeconds}.
     * The rate and window are passed on every call so that a changed limit applies at once while
     * what was already consumed carries over.
     */
    Decision tryAcquire(String key, double rate, double perSeconds, long permits);
}
