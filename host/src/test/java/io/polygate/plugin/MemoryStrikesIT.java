package io.polygate.plugin;

import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.testing.BundleZips;
import io.polygate.testing.GatewayProcess;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code plugins.memory_strikes: 2} in a gateway with a 256 MiB heap: a bundle version whose hook
 * the memory guard stops twice is taken out of service like a failed load. With a version before
 * it (two uploads), that version serves again and the status says why; without one (a single
 * version in bundles_dir) the bundle is failed and its API answers 503 naming the cause. The log
 * and a metric name the bundle; the first strike alone changes nothing, and a call that only ran
 * beside the bomb is stopped with it but is no strike against its bundle.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class MemoryStrikesIT {
    static GatewayProcess gw;

    /**
     * Holds a megabyte more every 5 ms, a leak the guard outpaces: a compiled loop that
     * allocates flat out can fill this small heap before the guard hears of a collection (a guest
     * OutOfMemoryError, a 500), which is not what this test is about.
     */
    static final String BOMB_JS = """
            function hook(request, session, spec) {
              if (request.get_header('X-Bomb')) {
                var x = [];
                for (;;) { x.push(new ArrayBuffer(1000000)); var t = Date.now(); while (Date.now() - t < 5) {} }
              }
              request.add_header('X-Served-By', '%s');
            }
            """;

    static Map<String, String> files(String servedBy, boolean bomb) {
        String code = bomb ? BOMB_JS.formatted(servedBy)
                : "function hook(request, session, spec) { request.add_header('X-Served-By', '" + servedBy + "'); }\n";
        return BundleZips.files("{\"file_list\": [\"middleware.js\"], \"custom_middleware\": {\"driver\": \"js\", \"pre\": [{\"name\": \"hook\"}]}}",
                "middleware.js", code);
    }

    @BeforeAll
    static void start() throws Exception {
        Path tmp = Files.createTempDirectory("polygate-strikes");
        writeFolder(tmp.resolve("bundles").resolve("alone"), files("alone", true));
        writeFolder(tmp.resolve("bundles").resolve("bomber"), files("bomber", true));
        writeFolder(tmp.resolve("bundles").resolve("bystander"), BundleZips.files(
                "{\"file_list\": [\"middleware.js\"], \"custom_middleware\": {\"driver\": \"js\", \"pre\": [{\"name\": \"hook\"}]}}",
                "middleware.js", """
                        // busy without allocating (a loop that allocates garbage as fast as it can may be blamed, docs/plugins.md)
                        function hook(request, session, spec) {
                          var busy = request.get_header('X-Busy');
                          if (busy) {
                            console.log('busy ' + busy);
                            var t = Date.now(), i = 0;
                            while (++i % 1000000 !== 0 || Date.now() - t < 20000) {}
                          }
                          request.add_header('X-Served-By', 'bystander');
                        }
                        """));
        gw = GatewayProcess.start(tmp, """
                bundles_dir: bundles
                plugins: {hook_timeout: 30s, pool_size: 1, memory_strikes: 2}
                apis:
                  - {api_id: plain, listen_path: /plain, strip_listen_path: true, target_url: "echo://", auth: none}
                  - {api_id: twice, listen_path: /twice, strip_listen_path: true, target_url: "echo://", auth: none, custom_middleware_bundle: twice}
                  - {api_id: alone, listen_path: /alone, strip_listen_path: true, target_url: "echo://", auth: none, custom_middleware_bundle: alone}
                  - {api_id: bomber, listen_path: /bomber, strip_listen_path: true, target_url: "echo://", auth: none, custom_middleware_bundle: bomber}
                  - {api_id: bystander, listen_path: /bystander, strip_listen_path: true, target_url: "echo://", auth: none, custom_middleware_bundle: bystander}
                """, "-Xmx256m");
        gw.await("/plain/x", 200, Duration.ofMinutes(3));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gw != null) gw.close();
    }

    /** The other test's bombs leave the heap full for a while: a load then would be stopped too. */
    @BeforeEach
    void collectTheLastTestsGarbage() throws Exception {
        gw.collectGarbage();
    }

    @Test
    void aVersionStoppedTwiceIsTakenOutAndTheVersionBeforeItServesAgain() throws Exception {
        String v1 = upload("twice", files("v1", false));
        String v2 = upload("twice", files("v2", true));
        assertThat(servedBy("/twice/x")).isEqualTo("v2");

        bomb("/twice/x");
        JsonNode afterOne = status("twice");
        assertThat(afterOne.path("version").asText()).as("one strike changes nothing").isEqualTo(v2);
        assertThat(afterOne.path("error").isNull()).isTrue();
        assertThat(servedBy("/twice/x")).isEqualTo("v2");
        gw.awaitLog("bundle twice version " + v2 + ": stopped because the heap ran short, strike 1 of 2 (plugins.memory_strikes)", Duration.ofSeconds(10));

        bomb("/twice/x");
        String why = "bundle \"twice\": version " + v2 + " was stopped 2 times because the heap ran short (plugins.memory_strikes 2)";
        JsonNode after = awaitStatus("twice", s -> v1.equals(s.path("version").asText()));
        assertThat(after.path("status").asText()).isEqualTo("ready");
        assertThat(after.path("error").asText()).isEqualTo(why + "; version " + v1 + " serves again");
        assertThat(after.path("nodes").get(0).path("version").asText()).as("the node registry").isEqualTo(v1);
        assertThat(servedBy("/twice/x")).isEqualTo("v1");
        gw.awaitLog(why + ": the version is taken out of service", Duration.ofSeconds(10));
        assertThat(metrics()).contains("polygate_plugin_memory_unfit_total{bundle=\"twice\"} 1.0");

        // a reload loads what changed in the store; the version taken out is not loaded again
        assertThat(gw.admin("POST", "/bundles/reload", null).statusCode()).isEqualTo(200);
        assertThat(status("twice").path("version").asText()).isEqualTo(v1);
        assertThat(servedBy("/twice/x")).isEqualTo("v1");
        assertThat(gw.get("/plain/x", Duration.ofSeconds(5)).statusCode()).isEqualTo(200);
    }

    @Test
    void aVersionStoppedTwiceWithNoneBeforeItLeavesTheBundleFailed() throws Exception {
        gw.await("/alone/x", 200, Duration.ofMinutes(2));
        String version = status("alone").path("version").asText();
        bomb("/alone/x");
        bomb("/alone/x");
        String why = "bundle \"alone\": version " + version + " was stopped 2 times because the heap ran short (plugins.memory_strikes 2)"
                + "; there is no version before it to serve instead";
        JsonNode after = awaitStatus("alone", s -> s.path("status").asText().equals("failed"));
        assertThat(after.path("error").asText()).isEqualTo(why);
        HttpResponse<String> refused = gw.get("/alone/x", Duration.ofSeconds(5));
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(json(refused).path("error").asText()).isEqualTo("plugin bundle \"alone\" is not usable: " + why);
        assertThat(metrics()).contains("polygate_plugin_memory_unfit_total{bundle=\"alone\"} 1.0");
        assertThat(gw.get("/plain/x", Duration.ofSeconds(5)).statusCode()).isEqualTo(200);
    }

    @Test
    void aCallThatOnlyRanBesideTheBombIsStoppedButNotStruck() throws Exception {
        gw.await("/bystander/x", 200, Duration.ofMinutes(2));
        String version = status("bystander").path("version").asText();
        for (int i = 1; i <= 2; i++) {
            String busy = "round-" + i;
            CompletableFuture<HttpResponse<String>> beside = CompletableFuture.supplyAsync(() -> {
                try {
                    return gw.getWithHeader("/bystander/x", "X-Busy", busy, Duration.ofSeconds(60));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            gw.awaitLog("busy " + busy, Duration.ofSeconds(10));
            bomb("/bomber/x");
            HttpResponse<String> stopped = beside.get(60, TimeUnit.SECONDS);
            assertThat(stopped.statusCode()).as("the call beside the bomb was stopped too: %s", stopped.body()).isEqualTo(503);
        }
        gw.awaitLog("bundle bomber version ", Duration.ofSeconds(10));
        assertThat(gw.log()).doesNotContain("bundle bystander version " + version + ": stopped because the heap ran short, strike");
        JsonNode after = status("bystander");
        assertThat(after.path("version").asText()).isEqualTo(version);
        assertThat(after.path("error").isNull()).as("%s", after).isTrue();
        assertThat(servedBy("/bystander/x")).isEqualTo("bystander");
        assertThat(metrics()).doesNotContain("polygate_plugin_memory_unfit_total{bundle=\"bystander\"}");
    }

    static void writeFolder(Path dir, Map<String, String> files) throws java.io.IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, String> f : files.entrySet()) Files.writeString(dir.resolve(f.getKey()), f.getValue());
    }

    /** Uploads a version and waits until its API serves it; its version. */
    static String upload(String name, Map<String, String> files) throws Exception {
        HttpResponse<String> r = gw.push(name, BundleZips.build(files, null));
        assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
        return json(r).path("version").asText();
    }

    /**
     * A request that sets off the bomb once the API serves (its context rebuilt after the last
     * bomb) and the last bomb's garbage is collected: the guard stops it with a 503.
     */
    static void bomb(String path) throws Exception {
        gw.await(path, 200, Duration.ofSeconds(60));
        gw.collectGarbage();
        HttpResponse<String> r = gw.getWithHeader(path, "X-Bomb", "1", Duration.ofSeconds(90));
        assertThat(r).as("the bomb's request was answered").isNotNull();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(json(r).path("error").asText()).isEqualTo("plugin hook stopped: the gateway is short of memory");
    }

    /** Who served a plain request, once the heap is collected (a bomb's garbage may still fill it, and the guard stop the call). */
    static String servedBy(String path) throws Exception {
        gw.collectGarbage();
        HttpResponse<String> r = gw.get(path, Duration.ofSeconds(10));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r).path("headers").path("X-Served-By").asText();
    }

    static JsonNode status(String name) throws Exception {
        HttpResponse<String> r = gw.admin("GET", "/bundles/" + name, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r);
    }

    static JsonNode awaitStatus(String name, java.util.function.Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode s = status(name);
        while (!until.test(s)) {
            assertThat(System.nanoTime()).as("bundle status: %s", s).isLessThan(deadline);
            Thread.sleep(100);
            s = status(name);
        }
        return s;
    }

    static String metrics() throws Exception {
        return gw.admin("GET", "/metrics", null).body();
    }
}
