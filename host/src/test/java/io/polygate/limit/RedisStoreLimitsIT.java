package io.polygate.limit;

import io.polygate.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** {@link LimitsBehaviour} with keys, policies, counters and quotas in a real redis-server. */
class RedisStoreLimitsIT extends LimitsBehaviour {
    static RedisServer redis;

    @BeforeAll
    static void startRedis() { redis = RedisServer.start(); }

    @AfterAll
    static void stopRedis() { redis.close(); }

    @BeforeEach
    void flush() { redis.flushAll(); }

    @Override
    protected String storage() { return "storage: {type: redis, redis_uri: '" + redis.uri() + "', timeout: 5s}"; }
}
