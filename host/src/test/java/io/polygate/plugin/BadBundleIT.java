package io.polygate.plugin;

import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.testing.GatewayFixture;
import io.polygate.testing.PluginTesting;
import io.polygate.testing.Scrape;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Broken bundles are refused with an error naming the bundle, the file and the problem: the API
 * using one answers 503 with that error until a good bundle is there; every other API keeps
 * working; a fixed bundle is picked up without a restart; a broken update keeps the old version.
 */
class BadBundleIT {
    static GatewayFixture gw;
    static Path bundles;
    static ListAppender<ILoggingEvent> log;
    static final String[] NAMES = {"bad-driver", "bad-missing-hook", "bad-missing-file", "bad-json", "bad-syntax-py",
            "bad-syntax-js", "no-manifest", "not-there", "good-js", "good-js-2", "fix-me", "zipped", "bad-checksum"};

    @BeforeAll
    static void start() throws Exception {
        System.setProperty("polygate.plugin.pool_size", "1");
        System.setProperty("polygate.bundle.poll_ms", "200");
        Path tmp = Files.createTempDirectory("polygate-bad");
        Map<String, String> b = new LinkedHashMap<>();
        for (String n : NAMES) if (n.startsWith("bad-") && !n.equals("bad-checksum") || n.equals("no-manifest") || n.equals("good-js")) b.put(n, n);
        b.put("good-js-2", "good-js");
        b.put("fix-me", "bad-missing-hook");
        bundles = PluginTesting.bundlesDir(tmp.resolve("bundles"), b);
        zip(bundles.resolve("good-js"), bundles.resolve("zipped.zip"));
        PluginTesting.copyTree(bundles.resolve("good-js"), bundles.resolve("bad-checksum"));
        Files.writeString(bundles.resolve("bad-checksum/manifest.json"), "{\"file_list\": [\"middleware.js\"], "
                + "\"custom_middleware\": {\"driver\": \"js\", \"pre\": [{\"name\": \"hello\"}]}, \"checksum\": \"0123456789abcdef0123456789abcdef\"}");
        log = PluginTesting.captureLog("io.polygate.bundle");
        StringBuilder apis = new StringBuilder("bundles_dir: bundles\napis:\n");
        for (String n : NAMES)
            apis.append("  - {api_id: ").append(n).append(", listen_path: /").append(n)
                    .append(", strip_listen_path: true, target_url: \"echo://\", auth: none, custom_middleware_bundle: ").append(n).append("}\n");
        apis.append("  - {api_id: plain, listen_path: /plain, strip_listen_path: true, target_url: \"echo://\", auth: none}\n");
        gw = GatewayFixture.start(apis.toString(), tmp);
        PluginTesting.awaitBundles(gw.gateway(), Duration.ofMinutes(3), NAMES);
    }

    @AfterAll
    static void stop() {
        System.clearProperty("polygate.plugin.pool_size");
        System.clearProperty("polygate.bundle.poll_ms");
        if (gw != null) gw.close();
    }

    static String refusal(String api) throws Exception {
        HttpResponse<String> r = gw.get("/" + api + "/x");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        JsonNode body = json(r);
        assertThat(body.path("status").asInt()).isEqualTo(503);
        String error = body.path("error").asText();
        assertThat(error).startsWith("plugin bundle \"" + api + "\" is not usable: bundle \"" + api + "\": ");
        assertThat(PluginTesting.logged(log, "bundle " + api + " refused")).isTrue();
        return error.substring(error.indexOf(": bundle \"") + 2);
    }

    @Test
    void unknownDriverIsRefused() throws Exception {
        assertThat(refusal("bad-driver")).isEqualTo("bundle \"bad-driver\": manifest.json: custom_middleware.driver: "
                + "\"lua\" is not supported (python, js; otto, goja and javascript mean js)");
    }

    @Test
    void hookNamedButNotDefinedIsRefused() throws Exception {
        assertThat(refusal("bad-missing-hook")).isEqualTo("bundle \"bad-missing-hook\": hook \"Nope\" (pre) is not defined in middleware.js");
    }

    @Test
    void fileListedButMissingIsRefused() throws Exception {
        assertThat(refusal("bad-missing-file")).isEqualTo(
                "bundle \"bad-missing-file\": manifest.json: file_list names a file that is not in the bundle: missing.js");
    }

    @Test
    void invalidManifestJsonIsRefused() throws Exception {
        assertThat(refusal("bad-json")).startsWith("bundle \"bad-json\": manifest.json: invalid JSON: ").contains("line 3");
    }

    @Test
    void pythonSyntaxErrorIsRefusedWithFileAndLine() throws Exception {
        assertThat(refusal("bad-syntax-py")).startsWith("bundle \"bad-syntax-py\": middleware.py line 4: ").contains("SyntaxError");
    }

    @Test
    void bundlesWhoseCodeFailsToLoadAreCountedByName() throws Exception {
        refusal("bad-syntax-py");
        refusal("bad-json");
        Scrape metrics = Scrape.parse(gw.admin("GET", "/metrics", null).body());
        assertThat(metrics.value("polygate_bundle_load_failures_total", "bundle", "bad-syntax-py")).isEqualTo(1);
        // refused before any code ran: the bundle status says so, not the load counters
        assertThat(metrics.series("polygate_bundle_load_failures_total", "bundle", "bad-json")).isEmpty();
        assertThat(metrics.value("polygate_bundle_loads_total", "bundle", "good-js")).isPositive();
    }

    @Test
    void javascriptSyntaxErrorIsRefusedWithFileAndLine() throws Exception {
        assertThat(refusal("bad-syntax-js")).startsWith("bundle \"bad-syntax-js\": middleware.js line 2: ").contains("SyntaxError");
    }

    @Test
    void missingManifestIsRefused() throws Exception {
        assertThat(refusal("no-manifest")).isEqualTo("bundle \"no-manifest\": manifest.json is missing");
    }

    @Test
    void missingBundleIsRefused() throws Exception {
        assertThat(refusal("not-there")).startsWith("bundle \"not-there\": not found: neither ");
    }

    @Test
    void otherApisKeepWorking() throws Exception {
        assertThat(gw.get("/plain/x").statusCode()).isEqualTo(200);
        HttpResponse<String> good = gw.get("/good-js/x");
        assertThat(good.statusCode()).isEqualTo(200);
        assertThat(json(good).path("headers").path("X-Hello").asText()).isEqualTo("1");
    }

    @Test
    void adminListsEveryBundleWithStateAndError() throws Exception {
        HttpResponse<String> r = gw.admin("GET", "/bundles", null);
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        json(r).forEach(n -> byName.put(n.path("name").asText(), n));
        assertThat(byName.get("good-js").path("state").asText()).isEqualTo("ready");
        assertThat(byName.get("good-js").path("version").asText()).hasSize(12);
        assertThat(byName.get("bad-driver").path("state").asText()).isEqualTo("failed");
        assertThat(byName.get("bad-driver").path("error").asText()).contains("\"lua\" is not supported");
        assertThat(byName.get("not-there").path("state").asText()).isEqualTo("missing");
    }

    @Test
    void fixedBundleIsPickedUpWithoutRestart() throws Exception {
        assertThat(gw.get("/fix-me/x").statusCode()).isEqualTo(503);
        Files.writeString(bundles.resolve("fix-me/manifest.json"),
                "{\"file_list\": [\"middleware.js\"], \"custom_middleware\": {\"driver\": \"js\", \"pre\": [{\"name\": \"hello\"}]}}");
        HttpResponse<String> r = awaitStatus("/fix-me/x", 200);
        assertThat(json(r).path("headers").path("X-Hello").asText()).isEqualTo("1");
    }

    @Test
    void brokenUpdateKeepsTheServingVersion() throws Exception {
        assertThat(gw.get("/good-js-2/x").statusCode()).isEqualTo(200);
        Files.writeString(bundles.resolve("good-js-2/middleware.js"), "function hello( {\n");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!String.valueOf(gw.gateway().bundles().status("good-js-2").error()).contains("SyntaxError")) {
            assertThat(System.nanoTime()).as("the broken update was not noticed").isLessThan(deadline);
            Thread.sleep(100);
        }
        HttpResponse<String> r = gw.get("/good-js-2/x");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).path("headers").path("X-Hello").asText()).isEqualTo("1");
        assertThat(gw.gateway().bundles().status("good-js-2").state()).isEqualTo("ready");
    }

    @Test
    void zipBundleIsExtractedAndServes() throws Exception {
        HttpResponse<String> r = gw.get("/zipped/x");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).path("headers").path("X-Hello").asText()).isEqualTo("1");
    }

    @Test
    void checksumThatDoesNotMatchTheFilesIsRefused() throws Exception {
        assertThat(refusal("bad-checksum")).contains("checksum");
    }

    static void zip(Path dir, Path zip) throws Exception {
        try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip));
             java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                out.putNextEntry(new java.util.zip.ZipEntry(f.getFileName().toString()));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
        }
    }

    static HttpResponse<String> awaitStatus(String path, int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            HttpResponse<String> r = gw.get(path);
            if (r.statusCode() == status || System.nanoTime() > deadline) {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
                return r;
            }
            Thread.sleep(100);
        }
    }
}
