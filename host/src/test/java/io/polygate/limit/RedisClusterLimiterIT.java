package io.polygate.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.config.Algorithm;
import io.polygate.limit.redis.RedisLimiters;
import io.polygate.storage.redis.RedisStore;
import io.polygate.testing.RedisServer;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The limiter contract on a real three-master Redis Cluster (three local redis-server processes
 * joined with {@code redis-cli --cluster create}): every script's keys share the counter's hash
 * tag, so none is refused with CROSSSLOT, and counters spread over the masters.
 */
class RedisClusterLimiterIT extends RateLimiterContract {
    static final List<Process> nodes = new ArrayList<>();
    static final List<Integer> ports = new ArrayList<>();
    static RedisStore store;

    @BeforeAll
    static void startCluster() throws Exception {
        for (int i = 0; i < 3; i++) {
            int port = RedisServer.freePort();
            Path dir = Files.createTempDirectory("polygate-cluster");
            nodes.add(new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--cluster-enabled", "yes", "--cluster-config-file", dir.resolve("nodes.conf").toString(),
                    "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--protected-mode", "no")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start());
            ports.add(port);
        }
        for (int port : ports) awaitPing(port);
        List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        for (int port : ports) create.add("127.0.0.1:" + port);
        create.add("--cluster-yes");
        Process p = new ProcessBuilder(create).redirectErrorStream(true).redirectOutput(new File("/dev/null")).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("redis-cli --cluster create").isZero();
        long deadline = System.currentTimeMillis() + 20_000;
        while (!cli(ports.get(0), "CLUSTER", "INFO").contains("cluster_state:ok") && System.currentTimeMillis() < deadline) Thread.sleep(100);
        store = new RedisStore(URI.create("redis://127.0.0.1:" + ports.get(0)), true, Duration.ofSeconds(5));
    }

    static void awaitPing(int port) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!cli(port, "PING").contains("PONG")) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("redis-server on " + port + " did not start");
            Thread.sleep(50);
        }
    }

    static String cli(int port, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(5, TimeUnit.SECONDS);
        return out;
    }

    @AfterAll
    static void stopCluster() {
        if (store != null) store.close();
        for (Process p : nodes) p.destroy();
    }

    @Override
    protected RateLimiter limiter(Algorithm algorithm, boolean countRejected) {
        return new RedisLimiters(store, clock).create(algorithm, countRejected);
    }

    @Test
    void countersLandOnEveryMaster() throws Exception {
        RateLimiter l = limiter(Algorithm.SLIDING_WINDOW);
        for (int i = 0; i < 60; i++) l.tryAcquire("spread-" + i, 5, 10, 1);
        for (int port : ports)
            assertThat(Long.parseLong(cli(port, "DBSIZE").trim())).as("keys on the master at %d", port).isPositive();
    }

    @Test
    void quotaCountersWorkOnTheClusterToo() {
        QuotaCounter q = new RedisLimiters(store, clock).quotaCounter();
        assertThat(q.consume("quota:c1", 1, 0, 60, 1).allowed()).isTrue();
        assertThat(q.consume("quota:c1", 1, 0, 60, 1).allowed()).isFalse();
    }
}
