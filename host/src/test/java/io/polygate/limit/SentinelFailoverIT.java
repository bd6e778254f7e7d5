package io.polygate.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.BundleZips;
import io.polygate.testing.GatewayFixture;
import io.polygate.testing.RedisServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Two gateways on {@code redis-sentinel://} with a real master, replica and sentinel (redis-server
 * processes started by the test): an upload to one is served by the other; the master is killed
 * while 8 clients send requests to a Redis-limited API on both; no request hangs or fails with anything but the documented answers, the
 * sentinel promotes the replica, the gateway follows it, and limits count and refuse on the new
 * master, and uploads still reach both nodes.
 */
class SentinelFailoverIT {

    @Test
    void failoverUnderLoadKeepsLimitsWorking() throws Exception {
        Path tmp = Files.createTempDirectory("polygate-sentinel");
        try (RedisServer master = RedisServer.start();
             RedisServer replica = RedisServer.start()) {
            replica.command("REPLICAOF", "127.0.0.1", Integer.toString(master.port()));
            int sentinelPort = RedisServer.freePort();
            Files.writeString(tmp.resolve("sentinel.conf"), """
                    port %d
                    bind 127.0.0.1
                    sentinel monitor polygate 127.0.0.1 %d 1
                    sentinel down-after-milliseconds polygate 1000
                    sentinel failover-timeout polygate 5000
                    """.formatted(sentinelPort, master.port()));
            Process sentinel = new ProcessBuilder("redis-server", tmp.resolve("sentinel.conf").toString(), "--sentinel")
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("sentinel.log").toFile()).start();
            try {
                awaitMaster(sentinelPort, master.port());
                awaitReplicaLinked(replica);
                try (GatewayFixture gw = node(sentinelPort, tmp.resolve("a")); GatewayFixture other = node(sentinelPort, tmp.resolve("b"))) {
                    assertThat(gw.get("/busy/x").statusCode()).isEqualTo(200);
                    uploadReachesBoth(gw, other, "v1");

                    AtomicBoolean running = new AtomicBoolean(true);
                    Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
                    AtomicLong slowest = new AtomicLong();
                    ExecutorService clients = Executors.newFixedThreadPool(8);
                    List<Future<?>> load = new ArrayList<>();
                    for (int i = 0; i < 8; i++) {
                        GatewayFixture target = i % 2 == 0 ? gw : other;
                        load.add(clients.submit(() -> {
                            while (running.get()) {
                                long t0 = System.nanoTime();
                                HttpResponse<String> r = target.get("/busy/x");
                                slowest.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                                statuses.computeIfAbsent(r.statusCode(), s -> new AtomicLong()).incrementAndGet();
                            }
                            return null;
                        }));
                    }
                    Thread.sleep(1000);
                    master.close();                       // the master dies under load
                    awaitMaster(sentinelPort, replica.port());
                    // the gateway follows the promoted replica: with what it held wiped, counters appear there again
                    awaitRole(replica, "role:master");
                    replica.command("FLUSHALL");
                    long deadline = System.nanoTime() + 20_000_000_000L;
                    while (!replica.command("KEYS", "*busy*").contains("busy")) {
                        assertThat(System.nanoTime()).as("the gateway writes its counters on the new master").isLessThan(deadline);
                        Thread.sleep(100);
                    }
                    Thread.sleep(1000);
                    running.set(false);
                    for (Future<?> f : load) f.get(30, TimeUnit.SECONDS);
                    clients.shutdown();

                    assertThat(statuses.keySet()).as("statuses under load: %s", statuses).containsOnly(200);
                    assertThat(slowest.get()).as("slowest request (ms) while the master failed over").isLessThan(10_000);

                    // limits count and refuse on the new master, once the gateway has stopped resting on its
                    // in-memory stand-in (a command that failed late in the failover rests it for rate_limit.store_retry)
                    awaitCountingOn(replica, gw);
                    int admitted = 0;
                    for (int i = 0; i < 15; i++) {
                        int status = gw.get("/scarce/x").statusCode();
                        assertThat(status).isIn(200, 429);
                        if (status == 200) admitted++;
                    }
                    assertThat(admitted).isEqualTo(10);
                    assertThat(replica.command("KEYS", "*scarce*")).contains("scarce");
                    // notices follow the new master too
                    uploadReachesBoth(gw, other, "v2");
                }
            } finally {
                sentinel.destroy();
            }
        }
    }

    static GatewayFixture node(int sentinelPort, Path dir) throws Exception {
        Files.createDirectories(dir.resolve("bundles"));
        return GatewayFixture.start("""
                storage: {type: redis, redis_uri: "redis-sentinel://127.0.0.1:%d/0#polygate", timeout: 1s}
                rate_limit: {on_store_error: allow}
                bundles_dir: bundles
                apis:
                  - {api_id: busy, listen_path: /busy, target_url: "echo://", auth: none, rate_limit_algorithm: sliding_window, global_rate_limit: {rate: 1000000, per: 60}}
                  - {api_id: scarce, listen_path: /scarce, target_url: "echo://", auth: none, rate_limit_algorithm: fixed_window, global_rate_limit: {rate: 10, per: 600}}
                  - {api_id: plugged, listen_path: /plugged, target_url: "echo://", auth: none, custom_middleware_bundle: stamp}
                """.formatted(sentinelPort), dir);
    }

    /** Uploads a bundle version to {@code a}; {@code b} serves it within 10 s. */
    static void uploadReachesBoth(GatewayFixture a, GatewayFixture b, String version) throws Exception {
        HttpResponse<String> pushed = BundleZips.push(a, "stamp", BundleZips.build(BundleZips.files(
                "{\"file_list\": [\"middleware.js\"], \"custom_middleware\": {\"driver\": \"js\", \"pre\": [{\"name\": \"stamp\"}]}}",
                "middleware.js", "function stamp(request, session, spec) { request.add_header('X-Stamp', '" + version + "'); }\n"), null));
        assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!version.equals(stamp(b))) {
            assertThat(System.nanoTime()).as("the other gateway serves %s", version).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    static String stamp(GatewayFixture g) throws Exception {
        HttpResponse<String> r = g.get("/plugged/x");
        return r.statusCode() == 200 ? GatewayFixture.json(r).path("headers").path("X-Stamp").asText() : null;
    }

    /** Waits until a request to {@code gw}'s Redis-limited API is counted on {@code store}. */
    static void awaitCountingOn(RedisServer store, GatewayFixture gw) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            store.command("FLUSHALL");
            assertThat(gw.get("/busy/x").statusCode()).isEqualTo(200);
            if (store.command("KEYS", "*busy*").contains("busy")) return;
            assertThat(System.nanoTime()).as("the gateway counts on the new master again").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    static void awaitMaster(int sentinelPort, int expectedPort) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            Process p = new ProcessBuilder("redis-cli", "-p", Integer.toString(sentinelPort), "SENTINEL", "get-master-addr-by-name", "polygate")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(5, TimeUnit.SECONDS);
            if (out.contains(Integer.toString(expectedPort))) return;
            assertThat(System.nanoTime()).as("sentinel names %d as the master (last answer: %s)", expectedPort, out).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    static void awaitReplicaLinked(RedisServer replica) throws Exception {
        awaitRole(replica, "master_link_status:up");
    }

    static void awaitRole(RedisServer server, String replicationInfo) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!server.command("INFO", "replication").contains(replicationInfo)) {
            assertThat(System.nanoTime()).as("redis on %d reports %s", server.port(), replicationInfo).isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
