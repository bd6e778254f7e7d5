package io.polygate.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.config.Algorithm;
import io.polygate.limit.redis.RedisLimiters;
import io.polygate.storage.redis.RedisStore;
import io.polygate.testing.RedisCluster;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The limiter contract on a real three-master Redis Cluster (three local redis-server processes
 * joined with {@code redis-cli --cluster create}): every script's keys share the counter's hash
 * tag, so none is refused with CROSSSLOT, and counters spread over the masters.
 */
class RedisClusterLimiterIT extends RateLimiterContract {
    static RedisCluster cluster;
    static RedisStore store;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = RedisCluster.start(3);
        store = new RedisStore(URI.create(cluster.uri()), true, Duration.ofSeconds(5));
    }

    @AfterAll
    static void stopCluster() {
        if (store != null) store.close();
        if (cluster != null) cluster.close();
    }

    @Override
    protected RateLimiter limiter(Algorithm algorithm, boolean countRejected) {
        return new RedisLimiters(store, clock).create(algorithm, countRejected);
    }

    @Test
    void countersLandOnEveryMaster() throws Exception {
        RateLimiter l = limiter(Algorithm.SLIDING_WINDOW);
        for (int i = 0; i < 60; i++) l.tryAcquire("spread-" + i, 5, 10, 1);
        for (int port : cluster.ports())
            assertThat(Long.parseLong(cluster.cli(port, "DBSIZE").trim())).as("keys on the master at %d", port).isPositive();
    }

    @Test
    void quotaCountersWorkOnTheClusterToo() {
        QuotaCounter q = new RedisLimiters(store, clock).quotaCounter();
        assertThat(q.consume("quota:c1", 1, 0, 60, 1).allowed()).isTrue();
        assertThat(q.consume("quota:c1", 1, 0, 60, 1).allowed()).isFalse();
    }
}
