package io.polygate.storage;

import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.storage.redis.RedisClusterChangeFeed;
import io.polygate.storage.redis.RedisStore;
import io.polygate.testing.BundleZips;
import io.polygate.testing.GatewayFixture;
import io.polygate.testing.PluginTesting;
import io.polygate.testing.RedisCluster;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The change feed on a real three-master Redis Cluster: notices published by one node reach the
 * others, and a plain write of a watched key is seen whichever master holds the key; two gateways
 * on the cluster see each other's bundle uploads, and a plain {@code SET coprocess-data:...} drops
 * the session cached on both.
 */
class ClusterChangeFeedIT {
    static RedisCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = RedisCluster.start(3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.close();
    }

    @Test
    void noticesReachOtherNodesAndWritesOnEveryMasterAreSeen() throws Exception {
        try (RedisStore nodeA = new RedisStore(URI.create(cluster.uri()), true, Duration.ofSeconds(2));
             RedisStore nodeB = new RedisStore(URI.create(cluster.uri()), true, Duration.ofSeconds(2));
             RedisClusterChangeFeed feedA = new RedisClusterChangeFeed(nodeA);
             RedisClusterChangeFeed feedB = new RedisClusterChangeFeed(nodeB)) {
            BlockingQueue<String> noticesB = new LinkedBlockingQueue<>();
            BlockingQueue<String> keysB = new LinkedBlockingQueue<>();
            feedB.subscribe("reload", noticesB::add);
            feedB.watchKeys("coprocess-data:", keysB::add);
            assertThat(feedB.seesExternalWrites()).isTrue();

            feedA.publish("reload", "bundle-a@v2");
            assertThat(noticesB.poll(2, TimeUnit.SECONDS)).isEqualTo("bundle-a@v2");

            // keys whose slots land on every master, written by a plain client
            Set<String> written = new HashSet<>();
            Set<Integer> masters = new HashSet<>();
            for (int i = 0; masters.size() < cluster.ports().size() && i < 200; i++) {
                String key = "coprocess-data:rate:k" + i;
                int master = masterOf(key);
                if (!masters.add(master)) continue;
                cluster.clusterCli("SET", key, "15");
                written.add(key);
            }
            assertThat(masters).hasSize(3);
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < written.size(); i++) seen.add(keysB.poll(2, TimeUnit.SECONDS));
            assertThat(seen).isEqualTo(written);
        }
    }

    /** The port of the master that holds {@code key}, from {@code CLUSTER NODES} ("id host:port@bus flags master ... slots"). */
    static int masterOf(String key) throws Exception {
        int slot = Integer.parseInt(cluster.cli(cluster.ports().get(0), "CLUSTER", "KEYSLOT", key).trim());
        for (String line : cluster.cli(cluster.ports().get(0), "CLUSTER", "NODES").split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length < 9 || !f[2].contains("master")) continue;
            for (int i = 8; i < f.length; i++) {
                String[] range = f[i].split("-");
                int lo = Integer.parseInt(range[0]);
                int hi = range.length > 1 ? Integer.parseInt(range[1]) : lo;
                if (slot >= lo && slot <= hi) return Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1, f[1].indexOf('@')));
            }
        }
        throw new IllegalStateException("no master holds slot " + slot);
    }

    @Test
    void anUploadToOneGatewayServesOnTheOther() throws Exception {
        Path tmp = Files.createTempDirectory("polygate-cluster-gw");
        try (GatewayFixture a = node(tmp.resolve("a")); GatewayFixture b = node(tmp.resolve("b"))) {
            for (int version = 1; version <= 2; version++) {
                HttpResponse<String> pushed = BundleZips.push(a, "shared", bundle("v" + version));
                assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
                assertThat(stamp(a)).isEqualTo("v" + version);
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!("v" + version).equals(stamp(b))) {
                    assertThat(System.nanoTime()).as("gateway b serves v%d", version).isLessThan(deadline);
                    Thread.sleep(100);
                }
            }
        }
    }

    @Test
    void aPlainClusterWriteOfPluginDataDropsTheCachedSessionOnBothGateways() throws Exception {
        System.setProperty("polygate.plugin.pool_size", "1");
        System.setProperty("polygate.plugin.timeout_ms", "10000");
        Path tmp = Files.createTempDirectory("polygate-cluster-forum");
        try (GatewayFixture a = forumNode(tmp.resolve("a")); GatewayFixture b = forumNode(tmp.resolve("b"))) {
            for (GatewayFixture g : List.of(a, b)) {
                PluginTesting.awaitBundles(g.gateway(), Duration.ofMinutes(3), "per-user-rate");
                // key foo at the plugin's default 10 per 60 s; the session is cached for 60 s on each node
                assertThat(g.get("/forum/x", "Key", "foo").headers().firstValue("X-RateLimit-Limit")).contains("10");
            }
            cluster.clusterCli("SET", "coprocess-data:rate:foo", "15");   // a plain client, on whichever master holds the key
            for (GatewayFixture g : List.of(a, b)) {
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (!g.get("/forum/x", "Key", "foo").headers().firstValue("X-RateLimit-Limit").orElse("").equals("15")) {
                    assertThat(System.nanoTime()).as("the cached session of foo was dropped on %s", g.gateway().bundles().nodeId())
                            .isLessThan(deadline);
                    Thread.sleep(100);
                }
            }
        } finally {
            System.clearProperty("polygate.plugin.pool_size");
            System.clearProperty("polygate.plugin.timeout_ms");
        }
    }

    static GatewayFixture forumNode(Path dir) throws Exception {
        PluginTesting.bundlesDir(dir.resolve("bundles"), Map.of("per-user-rate", "samples/python/per-user-rate"));
        return GatewayFixture.start("""
                storage: {type: redis, redis_uri: "%s", cluster: true}
                rate_limit: {algorithm: sliding_log}
                bundles_dir: bundles
                apis:
                  - {api_id: forum, listen_path: /forum, strip_listen_path: true, target_url: "echo://", auth: plugin, custom_middleware_bundle: per-user-rate}
                """.formatted(cluster.uri()), dir);
    }

    static GatewayFixture node(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("bundles"));
        return GatewayFixture.start("""
                storage: {type: redis, redis_uri: "%s", cluster: true}
                bundles_dir: bundles
                apis:
                  - {api_id: plugged, listen_path: /plugged, target_url: "echo://", auth: none, custom_middleware_bundle: shared}
                """.formatted(cluster.uri()), dir);
    }

    static byte[] bundle(String stamp) {
        return BundleZips.build(BundleZips.files(
                "{\"file_list\": [\"middleware.js\"], \"custom_middleware\": {\"driver\": \"js\", \"pre\": [{\"name\": \"stamp\"}]}}",
                "middleware.js", "function stamp(request, session, spec) { request.add_header('X-Stamp', '" + stamp + "'); }\n"), null);
    }

    static String stamp(GatewayFixture g) throws Exception {
        HttpResponse<String> r = g.get("/plugged/x");
        return r.statusCode() == 200 ? json(r).path("headers").path("X-Stamp").asText() : null;
    }
}
