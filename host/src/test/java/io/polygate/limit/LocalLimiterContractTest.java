package io.polygate.limit;

import io.polygate.config.Algorithm;
import io.polygate.limit.local.LocalLimiters;

/** The limiter contract for the in-memory limiters, with a manual clock. */
class LocalLimiterContractTest extends RateLimiterContract {
    @Override
    protected RateLimiter limiter(Algorithm algorithm, boolean countRejected) {
        return new LocalLimiters(clock).create(algorithm, countRejected);
    }
}
