package io.polygate.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.GatewayProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Stopping the gateway while a bundle still loads: the load is cut short, which is not a refusal. */
@Timeout(180)
class ShutdownWhileLoadingIT {
    @Test
    void aLoadCutShortByTheShutdownIsLoggedAtInfoNotAsARefusal() throws Exception {
        Path tmp = Files.createTempDirectory("polygate-shutdown");
        Path bundle = Files.createDirectories(tmp.resolve("bundles/slow"));
        Files.writeString(bundle.resolve("manifest.json"),
                "{\"file_list\": [\"middleware.js\"], \"custom_middleware\": {\"driver\": \"js\", \"pre\": [{\"name\": \"slow\"}]}}");
        // top-level code that takes 30 s: the load is still running when the gateway is stopped
        Files.writeString(bundle.resolve("middleware.js"),
                "var until = Date.now() + 30000; while (Date.now() < until) {}\nfunction slow(request, session, spec) {}\n");
        GatewayProcess g = GatewayProcess.start(tmp, """
                bundles_dir: bundles
                plugins: {load_timeout: 60s}
                apis:
                  - {api_id: open, listen_path: /open/, target_url: "echo://", auth: none}
                  - {api_id: slow, listen_path: /slow/, target_url: "echo://", auth: none, custom_middleware_bundle: slow}
                """);
        try {
            g.await("/open/x", 200, Duration.ofSeconds(90));
            g.awaitLog("js engine ready", Duration.ofSeconds(60));
            Thread.sleep(1000); // the bundle's top-level code runs now
        } finally {
            g.close();
        }
        assertThat(g.log())
                .contains("bundle slow: load stopped, the gateway is shutting down")
                .contains("polygate stopped")
                .doesNotContain("refused")
                .doesNotContain("ERROR");
    }
}
