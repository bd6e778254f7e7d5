package io.polygate.limit;

import io.polygate.config.Algorithm;

/**
 * Where counters live: one limiter per algorithm and the quota counter, in memory
 * ({@code limit.local.LocalLimiters}) or in Redis ({@code limit.redis.RedisLimiters}). The
 * implementations depend on this package's contracts, never the other way round; the gateway
 * picks them ({@code assembly.LimitBackends}).
 */
public interface LimitBackend {
    /** A new limiter of {@code algorithm}; {@code countRejected}: whether the sliding log counts denials. */
    RateLimiter create(Algorithm algorithm, boolean countRejected);

    QuotaCounter quotaCounter();
}
