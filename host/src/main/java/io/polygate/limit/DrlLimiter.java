package io.polygate.limit;

import io.polygate.config.Algorithm;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntSupplier;

/**
 * Tyk's distributed rate limiter: a token bucket per node holding {@code rate / nodes} (the live
 * node count comes from Redis heartbeats), so a fleet admits about {@code rate} per {@code per}
 * with no Redis round trip per request. When a node's share would fall below
 * {@code drl_threshold} requests per {@code per}, local buckets get too coarse (a share of 0.5
 * rounds to nothing), and the check goes to the shared, exact sliding log instead.
 *
 * <p>Decisions report the key's whole {@code rate} as the limit, and the remaining count scaled
 * from this node's share, so the headers read the same on every node.
 */
public final class DrlLimiter implements RateLimiter {
    private final RateLimiter local;
    private final RateLimiter shared;
    private final IntSupplier nodes;
    private final double threshold;

    /**
     * @param local     an in-memory token bucket
     * @param shared    the exact fallback (a Redis sliding log)
     * @param nodes     live nodes, at least 1
     * @param threshold the smallest per-node share that stays local
     */
    public DrlLimiter(RateLimiter local, RateLimiter shared, IntSupplier nodes, double threshold) {
        this.local = local;
        this.shared = shared;
        this.nodes = nodes;
        this.threshold = threshold;
    }

    @Override public Algorithm algorithm() { return Algorithm.TOKEN_BUCKET; }

    @Override
    public Decision tryAcquire(String key, double rate, double perSeconds, long permits) {
        int n = nodes(rate);
        return n == 0 ? shared.tryAcquire(key, rate, perSeconds, permits) : local(key, rate, perSeconds, permits, n);
    }

    @Override
    public CompletionStage<Decision> tryAcquireAsync(String key, double rate, double perSeconds, long permits) {
        int n = nodes(rate);
        return n == 0 ? shared.tryAcquireAsync(key, rate, perSeconds, permits)
                : CompletableFuture.completedFuture(local(key, rate, perSeconds, permits, n));
    }

    /** The live node count, or 0 when this node's share is below the threshold (the shared log decides). */
    private int nodes(double rate) {
        int n = Math.max(1, nodes.getAsInt());
        return rate / n < threshold ? 0 : n;
    }

    private Decision local(String key, double rate, double perSeconds, long permits, int n) {
        Decision d = local.tryAcquire(key, rate / n, perSeconds, permits);
        long limit = (long) Math.ceil(rate);
        long remaining = Math.min(limit, d.remaining() * n);
        return d.allowed() ? Decision.allowed(limit, remaining, d.resetAfter())
                : Decision.denied(limit, d.resetAfter(), d.retryAfter());
    }
}
