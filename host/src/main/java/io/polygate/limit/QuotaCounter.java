package io.polygate.limit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Counts a key's quota: {@code max} requests per renewal period. The period starts with the first
 * request and ends {@code renewalSeconds} later; the first request after it starts a fresh period
 * with the full quota (Tyk's {@code quota_renewal_rate}).
 *
 * <p>Threading and blocking as {@link RateLimiter}: atomic per counter, one round trip for Redis,
 * {@link io.polygate.storage.StoreException} when the store cannot be reached;
 * {@link #consumeAsync} is the same without holding the calling thread.
 */
public interface QuotaCounter {
    /**
     * Takes {@code permits} from the counter.
     *
     * @param usedAtStart    what a brand-new counter starts at ({@code quota_max - quota_remaining}
     *                       of the session, so a key created part-used keeps its state)
     * @param renewalSeconds period length; 0 = never renews
     */
    Result consume(String counterId, long max, long usedAtStart, long renewalSeconds, long permits);

    /**
     * {@link #consume} without waiting for the store: a Redis counter completes on Lettuce's I/O
     * thread (or exceptionally with the {@code StoreException}); the default runs {@link #consume}
     * on the calling thread, for counters that never block.
     */
    default CompletionStage<Result> consumeAsync(String counterId, long max, long usedAtStart, long renewalSeconds, long permits) {
        try {
            return CompletableFuture.completedFuture(consume(counterId, max, usedAtStart, renewalSeconds, permits));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * The counter as it stands, without taking from it or starting a period: null when it has
     * no state yet. A period that has ended shows the full {@code max} (it renews on the next
     * request). For the admin API's view of a key.
     */
    Result peek(String counterId, long max);

    /**
     * @param renewsAtMillis epoch millis when the period ends, 0 = never
     */
    record Result(boolean allowed, long max, long remaining, long renewsAtMillis) {}
}
