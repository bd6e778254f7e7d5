package io.polygate.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.limit.redis.RedisLimiters;
import io.polygate.storage.redis.RedisStore;
import io.polygate.testing.RedisServer;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The quota contract for the Redis counter, against a real redis-server. */
class RedisQuotaCounterIT extends QuotaCounterContract {
    static RedisServer redis;
    static RedisStore store;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        store = new RedisStore(URI.create(redis.uri()), false, Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() {
        store.close();
        redis.close();
    }

    @Override
    protected QuotaCounter counter() { return new RedisLimiters(store, clock).quotaCounter(); }

    @Test
    void theCounterIsOneHashWithAHashTagAndExpiresAfterItsPeriod() throws Exception {
        counter().consume("quota:abc", 5, 0, 60, 1);
        assertThat(redis.command("HGET", "polygate:rl:{quota:abc}:q", "u")).isEqualTo("$1\r\n1\r\n");
        long ttl = Long.parseLong(redis.command("PTTL", "polygate:rl:{quota:abc}:q").substring(1).trim());
        assertThat(ttl).isBetween(60_000L, 120_000L);
    }
}
