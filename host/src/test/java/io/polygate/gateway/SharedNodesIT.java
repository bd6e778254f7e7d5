package io.polygate.gateway;

import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.testing.BundleZips;
import io.polygate.testing.GatewayFixture;
import io.polygate.testing.RedisServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two gateways on one real redis-server see one node set: the nodes a bundle's status lists are
 * the nodes the distributed rate limiter splits a rate over, under the same ids; when one node
 * shuts down both uses drop it.
 */
class SharedNodesIT {
    /** A JS bundle whose pre hook stamps the request. */
    static final byte[] BUNDLE = BundleZips.build(BundleZips.files(
            "{\"file_list\": [\"middleware.js\"], \"custom_middleware\": {\"driver\": \"js\", \"pre\": [{\"name\": \"stamp\"}]}}",
            "middleware.js", "function stamp(request, session, spec) { request.add_header('X-Stamp', '1'); }\n"), null);

    static GatewayFixture node(RedisServer redis, Path dir) throws Exception {
        Files.createDirectories(dir.resolve("bundles"));
        return GatewayFixture.start("""
                storage: {type: redis, redis_uri: "%s"}
                bundles_dir: bundles
                apis:
                  - {api_id: limited, listen_path: /limited, target_url: "echo://", auth: key}
                  - {api_id: plugged, listen_path: /plugged, target_url: "echo://", auth: none, custom_middleware_bundle: shared}
                """.formatted(redis.uri()), dir);
    }

    /** How many of {@code n} requests with {@code key} the gateway admits. */
    static int admitted(GatewayFixture g, String key, int n) throws Exception {
        int ok = 0;
        for (int i = 0; i < n; i++) {
            int status = g.get("/limited/x", "Authorization", key).statusCode();
            assertThat(status).isIn(200, 429);
            if (status == 200) ok++;
        }
        return ok;
    }

    static List<String> statusNodes(GatewayFixture g) throws Exception {
        HttpResponse<String> r = g.admin("GET", "/bundles/shared", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        for (JsonNode n : json(r).path("nodes")) ids.add(n.path("node").asText());
        return ids;
    }

    static void awaitLive(GatewayFixture g, int n) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5_000;
        while (g.gateway().nodes().count() != n && System.currentTimeMillis() < deadline) Thread.sleep(20);
        assertThat(g.gateway().nodes().count()).isEqualTo(n);
    }

    static void createKey(GatewayFixture g, String key) throws Exception {
        // 100 per hour: nothing refills while the test runs
        HttpResponse<String> r = g.admin("POST", "/keys/" + key, "{\"rate\": 100, \"per\": 3600, \"access_rights\": {\"limited\": {}}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    @Test
    void bundleStatusesListTheNodesTheRateIsSplitOver() throws Exception {
        Path tmp = Files.createTempDirectory("polygate-nodes");
        try (RedisServer redis = RedisServer.start(); GatewayFixture a = node(redis, tmp.resolve("a"))) {
            GatewayFixture b = node(redis, tmp.resolve("b"));
            try {
                awaitLive(a, 2);
                awaitLive(b, 2);
                List<String> ids = new ArrayList<>(List.of(a.gateway().bundles().nodeId(), b.gateway().bundles().nodeId()));
                ids.sort(null);
                assertThat(a.gateway().nodes().live()).isEqualTo(ids);
                assertThat(b.gateway().nodes().live()).isEqualTo(ids);

                HttpResponse<String> up = BundleZips.push(a, "shared", BUNDLE);
                assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
                assertThat(statusNodes(a)).isEqualTo(ids);
                assertThat(statusNodes(b)).isEqualTo(ids);

                createKey(a, "k-two");
                assertThat(admitted(a, "k-two", 80)).as("a holds half the rate").isEqualTo(50);
                assertThat(admitted(b, "k-two", 80)).as("b holds the other half").isEqualTo(50);
            } finally {
                b.close();
            }
            assertThat(statusNodes(a)).as("b left at shutdown").containsExactly(a.gateway().bundles().nodeId());
            awaitLive(a, 1);
            createKey(a, "k-alone");
            assertThat(admitted(a, "k-alone", 120)).as("a alone holds the whole rate").isEqualTo(100);
        }
    }
}
