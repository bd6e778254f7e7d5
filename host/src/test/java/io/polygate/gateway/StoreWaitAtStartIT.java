package io.polygate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.sdk.json.Json;
import io.polygate.testing.GatewayProcess;
import io.polygate.testing.RedisServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code storage.wait_at_start}: Redis down at start is waited for, with 503 JSON meanwhile, then the gateway serves. */
@Timeout(180)
class StoreWaitAtStartIT {
    @Test
    void servesJson503UntilRedisAnswersThenServesTheApis() throws Exception {
        Path tmp = Files.createTempDirectory("polygate-wait-redis");
        int redisPort = RedisServer.freePort();
        String yaml = "storage: {type: redis, redis_uri: \"redis://127.0.0.1:" + redisPort + "\", wait_at_start: true}\n"
                + "apis:\n  - {api_id: open, listen_path: /open/, target_url: \"echo://\", auth: none}\n";
        try (GatewayProcess g = GatewayProcess.start(tmp, yaml)) {
            g.await("/open/x", 503, Duration.ofSeconds(90));
            HttpResponse<String> waiting = g.get("/open/x", Duration.ofSeconds(5));
            JsonNode body = Json.MAPPER.readTree(waiting.body());
            assertThat(body.path("status").asInt()).isEqualTo(503);
            assertThat(body.path("error").asText()).startsWith("the store is not reachable yet (cannot connect to redis redis://127.0.0.1:" + redisPort);
            assertThat(waiting.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            assertThat(g.admin("GET", "/apis", null).statusCode()).isEqualTo(503);

            try (RedisServer redis = RedisServer.startOn(redisPort)) {
                g.await("/open/x", 200, Duration.ofSeconds(90));
                assertThat(g.admin("GET", "/apis", null).statusCode()).isEqualTo(200);
                assertThat(g.log()).contains("serving 503 and retrying every 1000 ms (storage.wait_at_start)")
                        .contains("polygate: the store answers; starting");
            }
        }
    }
}
