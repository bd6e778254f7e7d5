package io.polygate.assembly;

import io.polygate.config.RateLimitConfig;
import io.polygate.limit.Limits;
import io.polygate.limit.local.LocalLimiters;
import io.polygate.limit.redis.RedisLimiters;
import io.polygate.observability.Metrics;
import io.polygate.storage.Nodes;
import io.polygate.storage.RedisScripting;
import io.polygate.storage.Store;
import java.time.InstantSource;

/**
 * Picks where the gateway's counters live for a store opened by {@link Stores#open}: in Redis
 * ({@code limit.redis}) when the store runs scripts, with the in-memory limiters
 * ({@code limit.local}) standing in while it is down; in memory otherwise. The DRL splits rates
 * over the {@link Nodes} the bundles list too.
 */
public final class LimitBackends {
    private LimitBackends() {}

    public static Limits limits(RateLimitConfig config, Store store, Nodes nodes, InstantSource clock, Metrics metrics) {
        RedisLimiters redis = store instanceof RedisScripting scripting ? new RedisLimiters(scripting, clock) : null;
        return new Limits(config, new LocalLimiters(clock), redis, nodes::count, store, clock, metrics);
    }
}
