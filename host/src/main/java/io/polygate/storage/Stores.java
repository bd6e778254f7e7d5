package io.polygate.storage;

import io.polygate.config.GatewayConfig.StorageConfig;
import io.polygate.storage.memory.MemoryStore;
import io.polygate.storage.redis.RedisStore;

/** Builds the configured {@link Store}. */
public final class Stores {
    private Stores() {}

    public static Store open(StorageConfig config) {
        return switch (config.type()) {
            case MEMORY -> new MemoryStore();
            case REDIS -> new RedisStore(config.redisUri(), config.redisCluster(), config.timeout());
        };
    }
}
