package io.polygate.limit.redis;

import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.api.sync.RedisScriptingCommands;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.polygate.config.Algorithm;
import io.polygate.limit.RateLimiter;
import java.time.InstantSource;

/** Builds the Redis limiter of an algorithm over a shared Lettuce connection (standalone, Sentinel or Cluster). */
public final class RedisLimiters {
    private final RedisScriptingCommands<String, String> redis;
    private final RedisScriptingAsyncCommands<String, String> async;
    private final InstantSource clock;
    private final RequestIds ids = new RequestIds();

    public RedisLimiters(Object connection, InstantSource clock) {
        this.redis = scripting(connection);
        this.async = asyncScripting(connection);
        this.clock = clock;
    }

    /** The scripting commands of a Lettuce connection (an {@code Object} so callers need no Lettuce import). */
    static RedisScriptingCommands<String, String> scripting(Object connection) {
        if (connection instanceof StatefulRedisConnection<?, ?> c) {
            @SuppressWarnings("unchecked") var cmd = ((StatefulRedisConnection<String, String>) c).sync();
            return cmd;
        }
        if (connection instanceof StatefulRedisClusterConnection<?, ?> c) {
            @SuppressWarnings("unchecked") var cmd = ((StatefulRedisClusterConnection<String, String>) c).sync();
            return cmd;
        }
        throw new IllegalArgumentException("not a Lettuce connection: " + (connection == null ? null : connection.getClass()));
    }

    /** The same, without waiting for replies. */
    static RedisScriptingAsyncCommands<String, String> asyncScripting(Object connection) {
        if (connection instanceof StatefulRedisConnection<?, ?> c) {
            @SuppressWarnings("unchecked") var cmd = ((StatefulRedisConnection<String, String>) c).async();
            return cmd;
        }
        if (connection instanceof StatefulRedisClusterConnection<?, ?> c) {
            @SuppressWarnings("unchecked") var cmd = ((StatefulRedisClusterConnection<String, String>) c).async();
            return cmd;
        }
        throw new IllegalArgumentException("not a Lettuce connection: " + (connection == null ? null : connection.getClass()));
    }

    /** Starts this node's DRL heartbeat (close it at shutdown). */
    public DrlNodes drlNodes(java.time.Duration interval) { return new DrlNodes(redis, clock, ids.node(), interval); }

    public io.polygate.limit.QuotaCounter quotaCounter() { return new RedisQuotaCounter(redis, async, clock); }

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
