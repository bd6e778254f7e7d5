package io.polygate.limit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.config.Algorithm;
import io.polygate.limit.DrlLimiter;
import io.polygate.limit.RateLimiter;
import io.polygate.limit.local.LocalLimiters;
import io.polygate.storage.Nodes;
import io.polygate.storage.redis.RedisStore;
import io.polygate.testing.RedisServer;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The distributed rate limiter over a real redis-server: the rate split over the live nodes, the sliding-log fallback. */
class DrlIT {
    static RedisServer redis;
    static RedisStore store;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        store = new RedisStore(URI.create(redis.uri()), false, Duration.ofSeconds(2));
    }

    @AfterAll
    static void stop() {
        store.close();
        redis.close();
    }

    record Node(Nodes nodes, DrlLimiter limiter) {}

    static Node node(double threshold) {
        Nodes nodes = Nodes.open(store, Duration.ofMillis(250));
        DrlLimiter l = new DrlLimiter(new LocalLimiters(InstantSource.system()).create(Algorithm.TOKEN_BUCKET, false),
                new RedisLimiters(store, InstantSource.system()).create(Algorithm.SLIDING_LOG, false), nodes::count, threshold);
        return new Node(nodes, l);
    }

    static int admitted(RateLimiter l, String key, double rate, double per, int n) {
        int ok = 0;
        for (int i = 0; i < n; i++) if (l.tryAcquire(key, rate, per, 1).allowed()) ok++;
        return ok;
    }

    static void awaitNodes(Nodes nodes, int n) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5_000;
        while (nodes.count() != n && System.currentTimeMillis() < deadline) Thread.sleep(20);
        assertThat(nodes.count()).isEqualTo(n);
    }

    @Test
    void eachNodeHoldsItsShareOfTheRateAndTheWholeRateOnceAlone() throws Exception {
        redis.flushAll();
        Node a = node(5), b = node(5);
        try {
            awaitNodes(a.nodes(), 2);
            awaitNodes(b.nodes(), 2);
            assertThat(admitted(a.limiter(), "k1", 100, 60, 80)).isEqualTo(50);
            assertThat(admitted(b.limiter(), "k1", 100, 60, 80)).isEqualTo(50);
            assertThat(a.limiter().tryAcquire("k2", 100, 60, 1).limit()).as("headers show the key's whole rate").isEqualTo(100);

            b.nodes().close(); // leaves the registry: a's next beat finds it alone (a silent node: NodesIT)
            awaitNodes(a.nodes(), 1);
            assertThat(admitted(a.limiter(), "k3", 100, 60, 120)).isEqualTo(100);
        } finally {
            a.nodes().close();
            b.nodes().close();
        }
    }

    @Test
    void belowTheThresholdPerNodeTheSharedSlidingLogDecidesExactly() throws Exception {
        redis.flushAll();
        Node a = node(5), b = node(5);
        try {
            awaitNodes(a.nodes(), 2);
            awaitNodes(b.nodes(), 2);
            // 6 per minute over 2 nodes is 3 each, under the threshold of 5: exact, shared
            int ok = 0;
            for (int i = 0; i < 5; i++) {
                if (a.limiter().tryAcquire("small", 6, 60, 1).allowed()) ok++;
                if (b.limiter().tryAcquire("small", 6, 60, 1).allowed()) ok++;
            }
            assertThat(ok).isEqualTo(6);
            assertThat(redis.command("ZCARD", RedisKeys.key("small", "log"))).isEqualTo(":6\r\n");
        } finally {
            a.nodes().close();
            b.nodes().close();
        }
    }
}
