package io.polygate.limit;

import io.polygate.config.Algorithm;
import io.polygate.config.IdentifierSyntax;
import io.polygate.session.PolicyStore;
import io.polygate.config.LimitDefinitions;
import io.polygate.config.RateLimitConfig;
import io.polygate.observability.Metrics;
import io.polygate.storage.Store;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntSupplier;

/**
 * The gateway's limit machinery, built once at start: one limiter per algorithm over the
 * configured store (the shared backend when there is one, with the in-memory one standing in per
 * {@code on_store_error}; in memory otherwise), the quota counter, the policies, the metrics, and
 * the executor that runs throttled re-checks. With a shared backend and {@code drl: true} the token
 * bucket is the distributed rate limiter ({@link DrlLimiter}), splitting the rate over the live
 * nodes. Shared by every API's {@link LimitStep}. Thread-safe.
 */
public final class Limits {
    private final RateLimitConfig config;
    private final InstantSource clock;
    private final LimitMetrics metrics;
    private final Map<Algorithm, RateLimiter> limiters = new EnumMap<>(Algorithm.class);
    private final QuotaCounter quota;
    private final PolicyStore policies;
    private final StoreFallback fallback;
    private final boolean shared;
    private final ConcurrentHashMap<String, java.util.Optional<Identifier>> patterns = new ConcurrentHashMap<>();
    private final Smoothing smoothing;
    private volatile Executor executor = ForkJoinPool.commonPool();

    /**
     * @param local     the in-memory limiters and quota counter
     * @param shared    the same shared by every node (Redis), or null: then {@code local} alone decides
     * @param liveNodes how many nodes share {@code shared} (at least 1), for the DRL
     * @param store     where policies are read (null: nowhere, and keys with policies are refused)
     */
    public Limits(RateLimitConfig config, LimitBackend local, LimitBackend shared, IntSupplier liveNodes, Store store,
                  InstantSource clock, Metrics gatewayMetrics) {
        this.config = config;
        this.metrics = new LimitMetrics(gatewayMetrics == null ? new Metrics() : gatewayMetrics);
        this.smoothing = new Smoothing(metrics);
        this.clock = clock;
        this.policies = store == null ? null : new PolicyStore(store);
        this.fallback = new StoreFallback(config.onStoreError(), config.storeRetry(), metrics);
        this.shared = shared != null;
        for (Algorithm a : Algorithm.values()) {
            RateLimiter standIn = local.create(a, config.countRejected());
            limiters.put(a, this.shared ? new FallbackLimiter(shared.create(a, config.countRejected()), standIn, fallback) : standIn);
        }
        if (this.shared && config.drl()) {
            limiters.put(Algorithm.TOKEN_BUCKET, new DrlLimiter(local.create(Algorithm.TOKEN_BUCKET, false),
                    limiters.get(Algorithm.SLIDING_LOG), liveNodes, config.drlThreshold()));
        }
        QuotaCounter localQuota = local.quotaCounter();
        if (this.shared) {
            QuotaCounter redisQuota = shared.quotaCounter();
            this.quota = new QuotaCounter() {
                @Override
                public Result consume(String id, long max, long used, long renewal, long permits) {
                    return fallback.call("quota", () -> redisQuota.consume(id, max, used, renewal, permits),
                            () -> localQuota.consume(id, max, used, renewal, permits));
                }

                @Override
                public CompletionStage<Result> consumeAsync(String id, long max, long used, long renewal, long permits) {
                    return fallback.callAsync("quota", () -> redisQuota.consumeAsync(id, max, used, renewal, permits),
                            () -> localQuota.consume(id, max, used, renewal, permits));
                }

                @Override
                public Result peek(String id, long max) {
                    return fallback.call("quota", () -> redisQuota.peek(id, max), () -> localQuota.peek(id, max));
                }
            };
        } else {
            this.quota = localQuota;
        }
    }

    public RateLimitConfig config() { return config; }
    public InstantSource clock() { return clock; }
    public LimitMetrics metrics() { return metrics; }
    Smoothing smoothing() { return smoothing; }
    public QuotaCounter quota() { return quota; }
    /** Null when there is no store (then keys' policies cannot be resolved and such keys are refused). */
    public PolicyStore policies() { return policies; }
    public boolean isShared() { return shared; }

    /** The limiter of {@code algorithm}, or of the gateway default when it is null. */
    public RateLimiter limiter(Algorithm algorithm) {
        return limiters.get(algorithm == null ? config.algorithm() : algorithm);
    }

    /** Where throttled re-checks run: the server's thread pool once the gateway has one. */
    public Executor executor() { return executor; }

    public void executor(Executor executor) { this.executor = executor; }

    private final ConcurrentHashMap<String, java.util.Optional<LimitDefinitions.PathPattern>> paths = new ConcurrentHashMap<>();

    /** A key's endpoint path compiled (cached: keys share few distinct paths); null when it is not a valid pattern. */
    LimitDefinitions.PathPattern keyEndpointPath(String path) {
        java.util.Optional<LimitDefinitions.PathPattern> p = paths.get(path);
        if (p == null) {
            try {
                p = java.util.Optional.of(LimitDefinitions.pathPattern(path));
            } catch (com.google.re2j.PatternSyntaxException e) {
                p = java.util.Optional.empty();
            }
            if (paths.size() < 10_000) paths.put(path, p);
        }
        return p.orElse(null);
    }

    /** A parsed {@code rate_limit_pattern}, cached (there are few distinct patterns); null when invalid. */
    Identifier pattern(String expression) {
        java.util.Optional<Identifier> id = patterns.get(expression);
        if (id == null) {
            // invalid patterns are remembered too, so a bad one is not re-checked on every request
            id = IdentifierSyntax.problem(expression) == null ? java.util.Optional.of(Identifier.parse(expression)) : java.util.Optional.empty();
            if (patterns.size() < 10_000) patterns.put(expression, id);
        }
        return id.orElse(null);
    }
}
