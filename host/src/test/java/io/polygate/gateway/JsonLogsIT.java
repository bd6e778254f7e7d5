package io.polygate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.sdk.json.Json;
import io.polygate.testing.GatewayProcess;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code logging.format: json} and an access log on standard output, in a gateway process of its
 * own (the log format is process-wide): the application's lines and the access lines are JSON.
 */
@Timeout(180)
class JsonLogsIT {
    @Test
    void applicationAndAccessLinesAreJson() throws Exception {
        Path tmp = Files.createTempDirectory("polygate-json-logs");
        String yaml = """
                logging: {format: json}
                access_log: {enabled: true}
                apis:
                  - {api_id: demo, listen_path: /demo, target_url: "echo://", auth: none}
                """;
        try (GatewayProcess g = GatewayProcess.start(tmp, yaml)) {
            g.await("/hello", 200, Duration.ofSeconds(90));
            HttpResponse<String> r = g.getWithHeader("/demo/x?q=1", "X-Request-Id", "json-logs-1", Duration.ofSeconds(10));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("X-Request-Id")).hasValue("json-logs-1");

            JsonNode access = awaitLine(g, "\"request_id\":\"json-logs-1\"");
            assertThat(access.path("api").asText()).isEqualTo("demo");
            assertThat(access.path("path").asText()).isEqualTo("/demo/x?q=");
            assertThat(access.path("status").asInt()).isEqualTo(200);

            JsonNode started = awaitLine(g, "polygate listening on");
            assertThat(started.path("level").asText()).isEqualTo("INFO");
            assertThat(started.path("loggerName").asText()).isEqualTo("io.polygate.Gateway");
            assertThat(started.path("formattedMessage").asText()).startsWith("polygate listening on 127.0.0.1:");
            // no line in the text layout (HH:mm:ss.SSS LEVEL ...)
            assertThat(g.log().lines()).noneMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*"));
        }
    }

    /** The first log line containing {@code text}, parsed as JSON, waited for (the access log is written asynchronously). */
    private static JsonNode awaitLine(GatewayProcess g, String text) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            List<String> lines = g.log().lines().toList();
            Optional<String> line = lines.stream().filter(l -> l.contains(text)).findFirst();
            if (line.isPresent()) return Json.MAPPER.readTree(line.get());
            if (System.nanoTime() > deadline) throw new AssertionError("no line with " + text + " in:\n" + String.join("\n", lines));
            Thread.sleep(100);
        }
    }
}
