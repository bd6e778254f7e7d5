package io.polygate.bundle;

import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.BundleZips;
import io.polygate.testing.GatewayFixture;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A bundle whose top-level code never ends is stopped at {@code plugins.load_timeout}: its upload
 * is answered with a 400 naming the limit within the limit plus a second, the version serving
 * before keeps serving, and the next upload loads at once (the loader was not held).
 */
class LoadTimeoutIT {
    static final String PY_MANIFEST = "{\"file_list\": [\"middleware.py\"], \"custom_middleware\": {\"driver\": \"python\", \"pre\": [{\"name\": \"Stamp\"}]}}";
    static final String JS_MANIFEST = "{\"file_list\": [\"middleware.js\"], \"custom_middleware\": {\"driver\": \"js\", \"pre\": [{\"name\": \"stamp\"}]}}";
    static final long LOAD_TIMEOUT_MS = 1500;
    static GatewayFixture gw;

    @BeforeAll
    static void start() throws Exception {
        System.setProperty("polygate.plugin.pool_size", "1");
        Path tmp = Files.createTempDirectory("polygate-load-timeout");
        Files.createDirectories(tmp.resolve("bundles"));
        gw = GatewayFixture.start("""
                bundles_dir: bundles
                plugins: {load_timeout: %dms}
                apis:
                  - {api_id: py, listen_path: /py, strip_listen_path: true, target_url: "echo://", auth: none, custom_middleware_bundle: py}
                  - {api_id: js, listen_path: /js, strip_listen_path: true, target_url: "echo://", auth: none, custom_middleware_bundle: js}
                """.formatted(LOAD_TIMEOUT_MS), tmp);
        assertThat(BundleZips.push(gw, "py", BundleZips.build(python("request.add_header('X-Version', 'py-1')"), null)).statusCode()).isEqualTo(201);
        assertThat(BundleZips.push(gw, "js", BundleZips.build(js("request.add_header('X-Version', 'js-1');"), null)).statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        System.clearProperty("polygate.plugin.pool_size");
        if (gw != null) gw.close();
    }

    static Map<String, String> python(String body, String... topLevel) {
        return BundleZips.files(PY_MANIFEST, "middleware.py", "from tyk.decorators import *\n" + String.join("\n", topLevel) + """

                @Hook
                def Stamp(request, session, spec):
                    %s
                    return request, session
                """.formatted(body));
    }

    static Map<String, String> js(String body, String... topLevel) {
        return BundleZips.files(JS_MANIFEST, "middleware.js",
                String.join("\n", topLevel) + "\nfunction stamp(request, session, spec) { " + body + " }\n");
    }

    void loopingTopLevelIsStoppedAndTheLoaderGoesOn(String name, Map<String, String> looping, Map<String, String> next, String nextVersion)
            throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> refused = BundleZips.push(gw, name, BundleZips.build(looping, null));
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        assertThat(json(refused).path("error").asText())
                .isEqualTo("bundle \"" + name + "\": its top-level code ran past plugins.load_timeout (" + LOAD_TIMEOUT_MS + " ms) and was stopped");
        assertThat(tookMs).as("the upload was answered %d ms after it was sent", tookMs).isLessThan(LOAD_TIMEOUT_MS + 1000 + 2000);
        // the version loaded before still serves
        assertThat(gw.get("/" + name + "/x").body()).contains(name + "-1");

        HttpResponse<String> loaded = BundleZips.push(gw, name, BundleZips.build(next, null));
        assertThat(loaded.statusCode()).as(loaded.body()).isEqualTo(201);
        assertThat(gw.get("/" + name + "/x").body()).contains(nextVersion);
    }

    @Test
    void pythonLoopAtImportIsRefusedAndTheNextUploadLoads() throws Exception {
        loopingTopLevelIsStoppedAndTheLoaderGoesOn("py", python("pass", "while True:\n    pass\n"),
                python("request.add_header('X-Version', 'py-2')"), "py-2");
    }

    @Test
    void jsLoopAtTopLevelIsRefusedAndTheNextUploadLoads() throws Exception {
        loopingTopLevelIsStoppedAndTheLoaderGoesOn("js", js("", "for (;;) {}"),
                js("request.add_header('X-Version', 'js-2');"), "js-2");
    }
}
