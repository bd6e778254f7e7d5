package io.polygate.config;

import io.polygate.limit.Algorithm;
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
 */
public record RateLimitConfig(Algorithm algorithm, boolean countRejected, OnStoreError onStoreError,
                              Duration storeRetry, boolean ietfHeaders) {
    public static final RateLimitConfig DEFAULT =
            new RateLimitConfig(Algorithm.TOKEN_BUCKET, false, OnStoreError.ALLOW, Duration.ofSeconds(1), false);

    public enum OnStoreError { ALLOW, DENY }
}
