package io.polygate.limit.local;

import io.polygate.config.Algorithm;
import io.polygate.limit.LimitBackend;
import io.polygate.limit.QuotaCounter;
import io.polygate.limit.RateLimiter;
import java.time.InstantSource;

/** Builds the in-memory limiter of an algorithm and the in-memory quota counter, over one clock. */
public final class LocalLimiters implements LimitBackend {
    private final InstantSource clock;

    public LocalLimiters(InstantSource clock) { this.clock = clock; }

    @Override
    public RateLimiter create(Algorithm algorithm, boolean countRejected) {
        return switch (algorithm) {
            case TOKEN_BUCKET -> new LocalTokenBucket(clock);
            case SLIDING_LOG -> new LocalSlidingLog(clock, countRejected, false);
            case SENTINEL -> new LocalSlidingLog(clock, false, true);
            case FIXED_WINDOW -> new LocalFixedWindow(clock);
            case SLIDING_WINDOW -> new LocalSlidingWindow(clock);
        };
    }

    @Override
    public QuotaCounter quotaCounter() { return new LocalQuotaCounter(clock); }
}
