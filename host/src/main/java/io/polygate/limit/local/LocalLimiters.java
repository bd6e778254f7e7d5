package io.polygate.limit.local;

import io.polygate.config.Algorithm;
import io.polygate.limit.RateLimiter;
import java.time.InstantSource;

/** Builds the in-memory limiter of an algorithm. */
public final class LocalLimiters {
    private LocalLimiters() {}

    public static RateLimiter create(Algorithm algorithm, InstantSource clock, boolean countRejected) {
        return switch (algorithm) {
            case TOKEN_BUCKET -> new LocalTokenBucket(clock);
            case SLIDING_LOG -> new LocalSlidingLog(clock, countRejected, false);
            case SENTINEL -> new LocalSlidingLog(clock, false, true);
            case FIXED_WINDOW -> new LocalFixedWindow(clock);
            case SLIDING_WINDOW -> new LocalSlidingWindow(clock);
        };
    }
}
