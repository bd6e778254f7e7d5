package io.polygate.config;

import java.time.Duration;

/**
 * The gateway-wide {@code rate_limit} section.
 *
 * @param algorithm     the default algorithm ({@code token_bucket})
 * @param countRejected whether denied requests count in the sliding log ({@code false})
 * @param onStoreError  {@code allow}: serve with an in-memory limiter standing in while Redis is
 *                      unreachable; {@code deny}: answer 503
 * @param storeRetry    how long the stand-in serves before Redis is tried again ({@code 1s})
 * @param ietfHeaders   also send the IETF {@code RateLimit-Policy} and {@code RateLimit} fields
 * @param drl           with Redis, run the token bucket as Tyk's distributed rate limiter (the
 *                      rate split across live nodes, {@code true}); false: one exact bucket in Redis
 * @param drlThreshold  below this many requests per {@code per} per node, the DRL uses the Redis
 *                      sliding log instead ({@code 5})
 * @param drlHeartbeat  how often nodes announce themselves ({@code 1s}) in the node registry the
 *                      DRL and the bundle statuses share; a silent node drops out after three
 */
public record RateLimitConfig(Algorithm algorithm, boolean countRejected, OnStoreError onStoreError,
                              Duration storeRetry, boolean ietfHeaders, boolean drl, double drlThreshold,
                              Duration drlHeartbeat) {
    public static final RateLimitConfig DEFAULT = new RateLimitConfig(Algorithm.TOKEN_BUCKET, false, OnStoreError.ALLOW,
            Duration.ofSeconds(1), false, true, 5, Duration.ofSeconds(1));

    public enum OnStoreError { ALLOW, DENY }
}
