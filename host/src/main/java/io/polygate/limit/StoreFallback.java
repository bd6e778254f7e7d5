package io.polygate.limit;

import io.polygate.config.RateLimitConfig.OnStoreError;
import io.polygate.storage.StoreException;
import java.time.Duration;
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

    public boolean isDown() { return down; }

    /** Runs {@code shared}; when the store is (or just went) down, {@code standIn} or a StoreException per policy. */
    public <T> T call(String what, Supplier<T> shared, Supplier<T> standIn) {
        if (down && System.nanoTime() - downUntilNanos < 0) return fallback(what, standIn, null);
        try {
            T result = shared.get();
            if (down) {
                down = false;
                LOG.warn("limiter store is reachable again: {} checks use it from now on", what);
            }
            return result;
        } catch (StoreException e) {
            metrics.storeErrors.increment();
            boolean first = !down;
            downUntilNanos = System.nanoTime() + retryNanos;
            down = true;
            if (first) LOG.error("limiter store unreachable ({}): {}; on_store_error={}, retrying in {} ms", what,
                    e.getMessage(), policy.name().toLowerCase(java.util.Locale.ROOT), retryNanos / 1_000_000);
            return fallback(what, standIn, e);
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
