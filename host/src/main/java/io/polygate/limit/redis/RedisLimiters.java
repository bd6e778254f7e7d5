package io.polygate.limit.redis;

import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.api.sync.RedisScriptingCommands;
import io.polygate.config.Algorithm;
import io.polygate.limit.LimitBackend;
import io.polygate.limit.QuotaCounter;
import io.polygate.limit.RateLimiter;
import io.polygate.storage.RedisScripting;
import java.time.InstantSource;

/** Builds the Redis limiter of an algorithm over a store's shared connection (standalone, Sentinel or Cluster). */
public final class RedisLimiters implements LimitBackend {
    private final RedisScriptingCommands<String, String> redis;
    private final RedisScriptingAsyncCommands<String, String> async;
    private final InstantSource clock;
    private final RequestIds ids = new RequestIds();

    public RedisLimiters(RedisScripting store, InstantSource clock) {
        this.redis = store.scripting();
        this.async = store.asyncScripting();
        this.clock = clock;
    }

    @Override
    public QuotaCounter quotaCounter() { return new RedisQuotaCounter(redis, async, clock); }

    @Override
    public RateLimiter create(Algorithm algorithm, boolean countRejected) {
        return switch (algorithm) {
            case TOKEN_BUCKET -> new RedisLimiter.TokenBucket(redis, async, clock);
            case SLIDING_LOG -> new RedisLimiter.SlidingLog(redis, async, clock, countRejected, ids);
            case SENTINEL -> new RedisLimiter.Sentinel(redis, async, clock, ids);
            case FIXED_WINDOW -> new RedisLimiter.FixedWindow(redis, async, clock);
            case SLIDING_WINDOW -> new RedisLimiter.SlidingWindowCounter(redis, async, clock);
        };
    }
}
