package io.polygate.bundle;

import static io.polygate.bundle.BundleUploadIT.jsFiles;
import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.plugin.polyglot.GuestApi;
import io.polygate.testing.BundleZips;
import io.polygate.testing.GatewayFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Bundles load in parallel, one bundle's versions in order, on a real gateway with real GraalVM
 * contexts. A "gated" Python bundle does not finish loading until the test opens its gate (its
 * module code waits for a plugin data key), so "still loading" is a fact, not a guess about time:
 * a JS bundle configured beside it goes live, and an upload of another bundle is answered, while
 * it is held. Deadlines below only stop a broken gateway from hanging the build.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ParallelLoadIT {
    static final Duration PATIENCE = Duration.ofSeconds(90);
    static GatewayFixture gw;

    @BeforeAll
    static void start() throws Exception {
        System.setProperty("polygate.plugin.pool_size", "1");
        // a first call into a cold context can pass the 1 s default on this shared machine
        System.setProperty("polygate.plugin.timeout_ms", "20000");
        Path tmp = Files.createTempDirectory("polygate-parallel");
        write(tmp.resolve("bundles/slow-py"), gatedPython("slow-py", "slow-py-1"));
        write(tmp.resolve("bundles/fast-js"), jsFiles("fast-js-1"));
        StringBuilder yaml = new StringBuilder("bundles_dir: bundles\napis:\n");
        for (String n : new String[] {"slow-py", "fast-js", "uploaded-js", "twice"})
            yaml.append("  - {api_id: ").append(n).append(", listen_path: /").append(n)
                    .append(", strip_listen_path: true, target_url: \"echo://\", auth: none, custom_middleware_bundle: ").append(n).append("}\n");
        gw = GatewayFixture.start(yaml.toString(), tmp);
    }

    @AfterAll
    static void stop() {
        System.clearProperty("polygate.plugin.pool_size");
        System.clearProperty("polygate.plugin.timeout_ms");
        if (gw == null) return;
        openGate("slow-py");
        openGate("twice");
        gw.close();
    }

    /** A Python bundle whose load waits (in each context) until {@link #openGate} is called for {@code gate}. */
    static Map<String, String> gatedPython(String gate, String stamp) {
        return BundleZips.files("{\"file_list\": [\"middleware.py\"], \"custom_middleware\": {\"driver\": \"python\", \"pre\": [{\"name\": \"Stamp\"}]}}",
                "middleware.py", """
                        from tyk.decorators import *
                        from gateway import TykGateway as tyk
                        import time

                        tyk.store_data('gate:%1$s:entered', '1', 0)
                        while tyk.get_data('gate:%1$s') != 'open':
                            time.sleep(0.1)

                        @Hook
                        def Stamp(request, session, spec):
                            request.add_header('X-Version', '%2$s')
                            return request, session
                        """.formatted(gate, stamp));
    }

    static void write(Path dir, Map<String, String> files) throws Exception {
        Files.createDirectories(dir);
        for (Map.Entry<String, String> f : files.entrySet()) Files.writeString(dir.resolve(f.getKey()), f.getValue());
    }

    static void openGate(String gate) { gw.gateway().store().set(GuestApi.DATA_PREFIX + "gate:" + gate, "open", null); }

    /** Waits until the gated bundle's load is inside its module code (so it is loading, and held). */
    static void awaitEntered(String gate) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (gw.gateway().store().get(GuestApi.DATA_PREFIX + "gate:" + gate + ":entered") == null) {
            assertThat(System.nanoTime()).as("the load of the gated bundle %s never started", gate).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    static HttpResponse<String> awaitStatus(String path, int status) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            HttpResponse<String> r = gw.get(path);
            if (r.statusCode() == status) return r;
            assertThat(System.nanoTime()).as("%s never answered %d; last: %d %s", path, status, r.statusCode(), r.body()).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    static String stamp(HttpResponse<String> r) { return json(r).path("headers").path("X-Version").asText(); }

    static String state(String bundle) throws Exception {
        return json(gw.admin("GET", "/bundles/" + bundle, null)).path("status").asText();
    }

    static CompletableFuture<HttpResponse<String>> pushAsync(String name, byte[] zip) {
        HttpRequest r = HttpRequest.newBuilder(gw.adminUrl("/bundles?name=" + name))
                .timeout(PATIENCE).header("X-Polygate-Secret", GatewayFixture.SECRET).header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(zip)).build();
        return gw.http().sendAsync(r, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(1)
    void jsBundleGoesLiveAndAnotherUploadIsAnsweredWhileAPythonBundleIsStillLoading() throws Exception {
        awaitEntered("slow-py");

        assertThat(stamp(awaitStatus("/fast-js/x", 200))).isEqualTo("fast-js-1");
        assertThat(state("fast-js")).isEqualTo("ready");
        HttpResponse<String> held = gw.get("/slow-py/x");
        assertThat(held.statusCode()).as(held.body()).isEqualTo(503);
        assertThat(json(held).path("error").asText()).isEqualTo("plugin bundle \"slow-py\" is loading, try again shortly");
        assertThat(state("slow-py")).isEqualTo("loading");

        HttpResponse<String> up = pushAsync("uploaded-js", BundleZips.build(jsFiles("uploaded-1"), null)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
        assertThat(json(up).path("status").asText()).isEqualTo("ready");
        assertThat(stamp(gw.get("/uploaded-js/x"))).isEqualTo("uploaded-1");
        assertThat(state("slow-py")).as("the Python bundle was still held when the upload was answered").isEqualTo("loading");

        openGate("slow-py");
        assertThat(stamp(awaitStatus("/slow-py/x", 200))).isEqualTo("slow-py-1");
        assertThat(state("slow-py")).isEqualTo("ready");
    }

    @Test
    @Order(2)
    void twoUploadsOfOneBundleInQuickSuccessionEndWithTheNewerServing() throws Exception {
        // the older upload is slow (held Python), the newer one quick (JS): in any other order the older would win
        CompletableFuture<HttpResponse<String>> older = pushAsync("twice", BundleZips.build(gatedPython("twice", "twice-1"), null));
        awaitEntered("twice");
        CompletableFuture<HttpResponse<String>> newer = pushAsync("twice", BundleZips.build(jsFiles("twice-2"), null));
        Thread.sleep(300); // let the newer upload reach the gateway; the assertions hold either way
        assertThat(newer.isDone()).as("the newer upload was answered while the older one of the same bundle was loading").isFalse();

        openGate("twice");
        HttpResponse<String> first = older.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        HttpResponse<String> second = newer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        assertThat(second.statusCode()).as(second.body()).isEqualTo(201);
        JsonNode v1 = json(first);
        JsonNode v2 = json(second);
        assertThat(v2.path("previous_version").asText()).isEqualTo(v1.path("version").asText());
        assertThat(stamp(gw.get("/twice/x"))).isEqualTo("twice-2");
        JsonNode st = json(gw.admin("GET", "/bundles/twice", null));
        assertThat(st.path("version").asText()).isEqualTo(v2.path("version").asText());
        assertThat(st.path("driver").asText()).isEqualTo("js");
    }
}
