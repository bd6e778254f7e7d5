package io.polygate.bundle;

import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.testing.BundleZips;
import io.polygate.testing.GatewayFixture;
import io.polygate.testing.RedisServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two gateway nodes sharing one real redis-server: a bundle uploaded to either node goes live on
 * both while clients keep sending requests, without a failed request; a node started later serves
 * the current version.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveBundleIT {
    static RedisServer redis;
    static GatewayFixture a;
    static GatewayFixture b;
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        System.setProperty("polygate.plugin.pool_size", "2");
        redis = RedisServer.start();
        tmp = Files.createTempDirectory("polygate-live");
        a = node("a");
        b = node("b");
        HttpResponse<String> first = BundleZips.push(a, "live", version(1));
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        awaitVersion(a, 1, Duration.ofSeconds(20));
        awaitVersion(b, 1, Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        System.clearProperty("polygate.plugin.pool_size");
        for (GatewayFixture g : new GatewayFixture[] {a, b}) if (g != null) g.close();
        if (redis != null) redis.close();
    }

    static GatewayFixture node(String name) throws Exception {
        Files.createDirectories(tmp.resolve(name + "/bundles"));
        return GatewayFixture.start("""
                storage: {type: redis, redis_uri: "%s"}
                bundles_dir: bundles
                apis:
                  - {api_id: live, listen_path: /live, strip_listen_path: true, target_url: "echo://", auth: none, custom_middleware_bundle: live}
                """.formatted(redis.uri()), tmp.resolve(name));
    }

    /** A JS bundle whose pre hook stamps the request with its version. */
    static byte[] version(int n) {
        return BundleZips.build(BundleZips.files(
                "{\"file_list\": [\"middleware.js\"], \"custom_middleware\": {\"driver\": \"js\", \"pre\": [{\"name\": \"stamp\"}]}}",
                "middleware.js", "function stamp(request, session, spec) { request.add_header('X-Version', '" + n + "'); }\n"), null);
    }

    static String versionSeen(HttpResponse<String> r) {
        return json(r).path("headers").path("X-Version").asText();
    }

    static void awaitVersion(GatewayFixture g, int n, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            HttpResponse<String> r = g.get("/live/x");
            if (r.statusCode() == 200 && versionSeen(r).equals(Integer.toString(n))) return;
            assertThat(System.nanoTime()).as("version %d not served by %s: %s %s", n, g.url("/"), r.statusCode(), r.body()).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    @Order(1)
    void uploadsUnderSteadyLoadFailNoRequestAndReachBothNodesWithinOneSecond() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
        GatewayFixture[] nodes = {a, b};
        // first time each node served each version, in System.nanoTime()
        List<Map<String, Long>> firstSeen = List.of(new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
        List<String> failures = new CopyOnWriteArrayList<>();
        AtomicLong ok = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                int i = id;
                while (running.get()) {
                    int node = i++ % 2;
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(nodes[node].url("/live/x")).timeout(Duration.ofSeconds(10)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            failures.add("node " + node + ": " + r.statusCode() + " " + r.body());
                            continue;
                        }
                        ok.incrementAndGet();
                        firstSeen.get(node).putIfAbsent(versionSeen(r), System.nanoTime());
                    } catch (Exception e) {
                        failures.add("node " + node + ": " + e);
                    }
                }
            }, "client-" + t);
            th.start();
            clients.add(th);
        }
        List<String> report = new ArrayList<>();
        try {
            Thread.sleep(1000);
            for (int v = 2; v <= 6; v++) {
                GatewayFixture target = nodes[v % 2];
                HttpResponse<String> r = BundleZips.push(target, "live", version(v));
                long answered = System.nanoTime();
                assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
                JsonNode body = json(r);
                assertThat(body.path("status").asText()).isEqualTo("ready");
                assertThat(body.path("changed").asBoolean()).isTrue();
                assertThat(body.path("loaded_on")).as(r.body()).hasSize(2);
                String key = Integer.toString(v);
                long deadline = answered + Duration.ofSeconds(1).toNanos();
                while ((firstSeen.get(0).get(key) == null || firstSeen.get(1).get(key) == null) && System.nanoTime() < deadline + 2_000_000_000L)
                    Thread.sleep(5);
                Long seenA = firstSeen.get(0).get(key);
                Long seenB = firstSeen.get(1).get(key);
                assertThat(seenA).as("version %d never seen on node a", v).isNotNull();
                assertThat(seenB).as("version %d never seen on node b", v).isNotNull();
                long lagMs = (Math.max(seenA, seenB) - answered) / 1_000_000;
                report.add("v" + v + " via node " + (v % 2 == 0 ? "a" : "b") + ": both nodes serve it " + lagMs + " ms after the answer");
                assertThat(Math.max(seenA, seenB)).as("version %d seen on both nodes within 1 s of the answer", v).isLessThanOrEqualTo(deadline);
                Thread.sleep(700);
            }
        } finally {
            running.set(false);
            for (Thread th : clients) th.join(15_000);
        }
        System.out.println("LiveBundleIT: " + ok.get() + " requests, " + failures.size() + " failed; " + String.join("; ", report));
        assertThat(failures).as("failed requests").isEmpty();
        assertThat(ok.get()).isGreaterThan(100);
    }

    @Test
    @Order(2)
    void listShowsVersionStatusLoadTimeAndTheApisUsingIt() throws Exception {
        HttpResponse<String> r = a.admin("GET", "/bundles", null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode live = null;
        for (JsonNode n : json(r)) if (n.path("name").asText().equals("live")) live = n;
        assertThat(live).as(r.body()).isNotNull();
        assertThat(live.path("status").asText()).isEqualTo("ready");
        assertThat(live.path("version").asText()).hasSize(12);
        assertThat(live.path("loaded_at").asText()).isNotEmpty();
        assertThat(live.path("last_error").isNull()).isTrue();
        assertThat(live.path("apis").toString()).isEqualTo("[\"live\"]");

        JsonNode one = json(b.admin("GET", "/bundles/live", null));
        assertThat(one.path("version").asText()).isEqualTo(live.path("version").asText());
        assertThat(one.path("nodes")).hasSize(2);
        for (JsonNode n : one.path("nodes")) {
            assertThat(n.path("status").asText()).isEqualTo("ready");
            assertThat(n.path("version").asText()).isEqualTo(live.path("version").asText());
        }
    }

    @Test
    @Order(3)
    void sameContentAgainChangesNothing() throws Exception {
        HttpResponse<String> r = BundleZips.push(b, "live", version(6));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).path("changed").asBoolean()).isFalse();
        assertThat(versionSeen(a.get("/live/x"))).isEqualTo("6");
    }

    @Test
    @Order(4)
    void deleteIsRefusedWhileAnApiUsesIt() throws Exception {
        HttpResponse<String> r = a.admin("DELETE", "/bundles/live", null);
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(json(r).path("error").asText())
                .isEqualTo("bundle \"live\" is used by API live (custom_middleware_bundle); change or delete it first");
        assertThat(versionSeen(b.get("/live/x"))).isEqualTo("6");
    }

    @Test
    @Order(5)
    void brokenUploadIsRefusedAndBothNodesKeepServing() throws Exception {
        byte[] broken = BundleZips.build(BundleZips.files(
                "{\"file_list\": [\"middleware.js\"], \"custom_middleware\": {\"driver\": \"js\", \"pre\": [{\"name\": \"stamp\"}]}}",
                "middleware.js", "function stamp(request, session, spec) { request.add_header('X-Version', '7') \n"), null);
        HttpResponse<String> r = BundleZips.push(a, "live", broken);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(json(r).path("error").asText()).startsWith("bundle \"live\": middleware.js line ").contains("SyntaxError");
        Thread.sleep(300);
        assertThat(versionSeen(a.get("/live/x"))).isEqualTo("6");
        assertThat(versionSeen(b.get("/live/x"))).isEqualTo("6");
        assertThat(json(a.admin("GET", "/bundles/live", null)).path("last_error").asText()).contains("SyntaxError");
    }

    @Test
    @Order(6)
    void aNodeStartedLaterServesTheCurrentVersion() throws Exception {
        try (GatewayFixture c = node("c")) {
            awaitVersion(c, 6, Duration.ofSeconds(20));
            JsonNode st = json(c.admin("GET", "/bundles/live", null));
            assertThat(st.path("status").asText()).isEqualTo("ready");
            assertThat(st.path("source").asText()).isEqualTo("upload");
        }
    }

    @Test
    @Order(7)
    void uploadWhileRedisIsDownIsRefusedWith503AndNothingChanges() throws Exception {
        String serving = a.gateway().bundles().current("live").version();
        redis.close();
        HttpResponse<String> r = BundleZips.push(a, "live", version(8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(json(r).path("error").asText()).startsWith("bundle \"live\": cannot be kept in the store (")
                .endsWith("); nothing changed, version " + serving + " keeps serving");
        assertThat(a.gateway().bundles().current("live").version()).isEqualTo(serving);
        assertThat(versionSeen(a.get("/live/x"))).isEqualTo("6");
        assertThat(versionSeen(b.get("/live/x"))).isEqualTo("6");
    }
}
