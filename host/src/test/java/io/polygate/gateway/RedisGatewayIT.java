package io.polygate.gateway;

import io.polygate.testing.GatewayFixture;
import io.polygate.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link GatewayBehaviour} with a real redis-server as the store. */
class RedisGatewayIT extends GatewayBehaviour {
    static RedisServer redis;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        startUpstreams();
        gw = GatewayFixture.start(yaml("{type: redis, redis_uri: \"" + redis.uri() + "\"}"));
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) redis.close();
    }
}
