package io.polygate.assembly;

import io.micrometer.core.instrument.MeterRegistry;
import io.polygate.config.GatewayConfig.StorageConfig;
import io.polygate.storage.ChangeFeed;
import io.polygate.storage.Store;
import io.polygate.storage.memory.MemoryChangeFeed;
import io.polygate.storage.memory.MemoryStore;
import io.polygate.storage.redis.RedisChangeFeed;
import io.polygate.storage.redis.RedisClusterChangeFeed;
import io.polygate.storage.redis.RedisStore;

/** Builds the configured {@link Store} and its {@link ChangeFeed}. */
public final class Stores {
    private Stores() {}

    /** @param meters where a Redis store records its command latencies and failures */
    public static Store open(StorageConfig config, MeterRegistry meters) {
        return switch (config.type()) {
            case MEMORY -> new MemoryStore();
            case REDIS -> new RedisStore(config.redisUri(), config.redisCluster(), config.timeout(), meters);
        };
    }

    /** The change feed of a store opened by {@link #open}. */
    public static ChangeFeed feed(Store store) {
        if (store instanceof MemoryStore m) return new MemoryChangeFeed(m);
        if (store instanceof RedisStore r) {
            return r.client() instanceof io.lettuce.core.RedisClient ? new RedisChangeFeed(r) : new RedisClusterChangeFeed(r);
        }
        throw new IllegalArgumentException("no change feed for " + store.describe());
    }
}
