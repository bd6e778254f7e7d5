package io.polygate.limit;

import io.polygate.config.RateLimitConfig.OnStoreError;
import io.polygate.storage.StoreException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when the shared limiter store fails: the failure is counted and logged (once per
 * outage, then once more when the store is back), and for {@code retry} the store is not asked
 * again, so requests do not each wait for a timeout. Meanwhile, with {@code allow} an in-memory
 * stand-in answers; with {@code deny} the check throws a {@link StoreException}, which the chain
 * answers with a 503. After {@code retry} the next check tries the store again: recovery needs no
 * restart. Thread-safe.
 */
public final class StoreFallback {
    private static final Logger LOG = LoggerFactory.getLogger(StoreFallback.class);

    private final OnStoreError policy;
    private final long retryNanos;
    private final LimitMetrics metrics;
    private volatile long downUntilNanos;
    private volatile boolean down;

    public StoreFallback(OnStoreError policy, Duration retry, LimitMetrics metrics) {
        this.policy = policy;
        this.retryNanos = retry.toNanos();
        this.metrics = metrics;
    }

    /** Runs {@code shared}; when the store is (or just went) down, {@code standIn} or a StoreException per policy. */
    public <T> T call(String what, Supplier<T> shared, Supplier<T> standIn) {
        if (isResting()) return fallback(what, standIn, null);
        try {
            T result = shared.get();
            reachable(what);
            return result;
        } catch (StoreException e) {
            unreachable(what, e);
            return fallback(what, standIn, e);
        }
    }

    /**
     * As {@link #call}, for a shared call that completes later: the stand-in (or the
     * StoreException) takes the place of a store failure in the returned stage.
     */
    public <T> CompletionStage<T> callAsync(String what, Supplier<CompletionStage<T>> shared, Supplier<T> standIn) {
        if (isResting()) return fallbackStage(what, standIn, null);
        return shared.get().handle((result, error) -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause == null) {
                reachable(what);
                return CompletableFuture.completedFuture(result);
            }
            if (!(cause instanceof StoreException e)) return CompletableFuture.<T>failedFuture(cause);
            unreachable(what, e);
            return fallbackStage(what, standIn, e);
        }).thenCompose(stage -> stage);
    }

    /** Within {@code retry} of a failure: the store is not asked. */
    private boolean isResting() {
        return down && System.nanoTime() - downUntilNanos < 0;
    }

    private void reachable(String what) {
        if (down) {
            down = false;
            LOG.warn("limiter store is reachable again: {} checks use it from now on", what);
        }
    }

    private void unreachable(String what, StoreException e) {
        metrics.storeErrors.increment();
        boolean first = !down;
        downUntilNanos = System.nanoTime() + retryNanos;
        down = true;
        if (first) LOG.error("limiter store unreachable ({}): {}; on_store_error={}, retrying in {} ms", what,
                e.getMessage(), policy.name().toLowerCase(java.util.Locale.ROOT), retryNanos / 1_000_000);
    }

    private <T> CompletionStage<T> fallbackStage(String what, Supplier<T> standIn, StoreException cause) {
        try {
            return CompletableFuture.completedFuture(fallback(what, standIn, cause));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private <T> T fallback(String what, Supplier<T> standIn, StoreException cause) {
        if (policy == OnStoreError.ALLOW) {
            metrics.failedOpen.increment();
            return standIn.get();
        }
        metrics.failedClosed.increment();
        throw cause != null ? cause : new StoreException("limiter store unreachable (" + what + "), on_store_error=deny", null);
    }
}
