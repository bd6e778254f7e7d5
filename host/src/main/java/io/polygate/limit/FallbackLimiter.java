package io.polygate.limit;

import io.polygate.config.Algorithm;
import java.util.concurrent.CompletionStage;

/**
 * A shared (Redis) limiter with an in-memory stand-in of the same algorithm for when the store is
 * down ({@link StoreFallback}). The stand-in counts only this node's requests, so during an outage
 * a fleet of N nodes admits up to N times the limit.
 */
public final class FallbackLimiter implements RateLimiter {
    private final RateLimiter shared;
    private final RateLimiter standIn;
    private final StoreFallback fallback;
    private final String what;

    public FallbackLimiter(RateLimiter shared, RateLimiter standIn, StoreFallback fallback) {
        if (shared.algorithm() != standIn.algorithm()) throw new IllegalArgumentException("stand-in must use the same algorithm");
        this.shared = shared;
        this.standIn = standIn;
        this.fallback = fallback;
        this.what = shared.algorithm().configName();
    }

    @Override public Algorithm algorithm() { return shared.algorithm(); }

    @Override
    public Decision tryAcquire(String key, double rate, double perSeconds, long permits) {
        return fallback.call(what, () -> shared.tryAcquire(key, rate, perSeconds, permits),
                () -> standIn.tryAcquire(key, rate, perSeconds, permits));
    }

    @Override
    public CompletionStage<Decision> tryAcquireAsync(String key, double rate, double perSeconds, long permits) {
        return fallback.callAsync(what, () -> shared.tryAcquireAsync(key, rate, perSeconds, permits),
                () -> standIn.tryAcquire(key, rate, perSeconds, permits));
    }
}
