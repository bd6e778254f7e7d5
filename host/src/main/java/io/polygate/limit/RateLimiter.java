package io.polygate.limit;

import io.polygate.config.Algorithm;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One rate limiting algorithm over one store. Keys are made by the caller (from the credential or
 * an identifier, built by {@code LimitStep}); the limiter only counts.
 *
 * <p><b>Contract</b> (checked for every implementation by {@code RateLimiterContract}):
 * <ul>
 *   <li>a fresh key allows at least {@code floor(rate)} requests (at least one) before denying;
 *   <li>a denial is a {@link Decision}, never an exception; its {@code retryAfter} is positive and a
 *       request made once it has passed (and nothing else was taken) is allowed, one made 1 ms
 *       earlier is not; it is at most {@code per} ({@code 2 * per} for the sliding window counter);
 *   <li>{@code remaining} counts down to zero and never goes negative; {@code limit} is the
 *       allowance per window;
 *   <li>keys are independent; concurrent calls for one key never admit more than the allowance;
 *   <li>after {@code 2 * per} seconds without requests the full allowance is back.
 * </ul>
 *
 * <p>Threading: called concurrently for the same and different keys; each check is atomic.
 * Blocking: a Redis implementation does exactly one round trip per check (one Lua script) and
 * throws {@link io.polygate.storage.StoreException} when Redis cannot be reached; in-memory ones
 * never block. Nulls: {@code key} is never null.
 */
public interface RateLimiter {
    /**
     * Takes {@code permits} from {@code key}'s allowance of {@code rate} per {@code perSeconds}.
     * The rate and window are passed on every call so that a changed limit applies at once while
     * what was already consumed carries over.
     */
    Decision tryAcquire(String key, double rate, double perSeconds, long permits);

    /**
     * {@link #tryAcquire} without holding the calling thread for the store: a Redis limiter sends
     * its one script and completes on Lettuce's I/O thread (exceptionally with the
     * {@code StoreException} when Redis fails). The default checks on the calling thread and
     * returns a completed stage, for limiters that never block.
     */
    default CompletionStage<Decision> tryAcquireAsync(String key, double rate, double perSeconds, long permits) {
        try {
            return CompletableFuture.completedFuture(tryAcquire(key, rate, perSeconds, permits));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The algorithm this limiter implements. */
    Algorithm algorithm();

    /** The allowance per window used by the window and log algorithms: {@code floor(rate)}, at least 1. */
    static long windowLimit(double rate) {
        return Math.max(1, (long) Math.floor(rate + 1e-9));
    }

    /** A window in whole milliseconds, at least 1. */
    static long windowMillis(double perSeconds) {
        return Math.max(1, Math.round(perSeconds * 1000));
    }
}
