package io.polygate.plugin;

import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.GatewayFixture;
import io.polygate.testing.PluginTesting;
import io.polygate.testing.Scrape;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code plugins:} config section: the hook time limit set in the config file is the one enforced. */
class PluginSettingsIT {
    @Test
    void hookTimeoutFromTheConfigFileStopsALoopingHook(@TempDir Path dir) throws Exception {
        Path bundles = PluginTesting.bundlesDir(dir.resolve("bundles"), Map.of("js-guard", "js-guard"));
        try (GatewayFixture gw = GatewayFixture.start("""
                bundles_dir: %s
                plugins: {hook_timeout: 3s, pool_size: 1}
                apis:
                  - {api_id: guarded, listen_path: /g, target_url: "echo://", auth: none, custom_middleware_bundle: js-guard}
                """.formatted(bundles), dir)) {
            PluginTesting.awaitBundles(gw.gateway(), Duration.ofSeconds(60), "js-guard");
            assertThat(gw.get("/g/x").statusCode()).isEqualTo(200);
            Instant start = Instant.now();
            HttpResponse<String> r = gw.get("/g/x", "Probe", "loop");
            Duration took = Duration.between(start, Instant.now());
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(json(r).get("error").asText()).isEqualTo("plugin hook timed out");
            // stopped at the configured 3 s, not at the 1 s default (a lower bound holds on a loaded machine too)
            assertThat(took).isBetween(Duration.ofMillis(2900), Duration.ofSeconds(20));
            assertThat(gw.get("/g/x").statusCode()).isEqualTo(200);
            Scrape metrics = Scrape.parse(gw.admin("GET", "/metrics", null).body());
            String[] hook = {"bundle", "js-guard", "hook", "guard", "phase", "pre"};
            assertThat(metrics.value("polygate_hook_timeouts_total", hook)).isEqualTo(1);
            assertThat(metrics.value("polygate_hook_errors_total", hook)).isZero();
            assertThat(metrics.value("polygate_hook_duration_seconds", hook)).isEqualTo(3);
        }
    }
}
