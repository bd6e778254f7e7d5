package io.polygate.gateway;

import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.GatewayFixture;
import io.polygate.testing.RedisServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Redis going away: requests that need the store get a 503 JSON quickly; when Redis is back, the gateway recovers without a restart. */
class RedisOutageIT {
    @Test
    void storeOutageIs503AndRecoversWithoutRestart() throws Exception {
        RedisServer redis = RedisServer.start();
        int port = redis.port();
        try (GatewayFixture gw = GatewayFixture.start("""
                storage: {type: redis, redis_uri: "%s", timeout: 500ms}
                apis:
                  - {api_id: k, listen_path: /k, target_url: "echo://", auth: key}
                  - {api_id: open, listen_path: /open, target_url: "echo://", auth: none}
                """.formatted(redis.uri()))) {
            gw.admin("POST", "/keys/abc", "{\"access_rights\": {\"k\": {}}}");
            assertThat(gw.get("/k/x", "Authorization", "abc").statusCode()).isEqualTo(200);

            redis.close();
            Instant t0 = Instant.now();
            HttpResponse<String> down = gw.get("/k/x", "Authorization", "abc");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(json(down).get("error").asText()).isEqualTo("storage unavailable");
            assertThat(json(down).get("error_id").asText()).isNotBlank();
            assertThat(Duration.between(t0, Instant.now())).isLessThan(Duration.ofSeconds(5));
            // an API that needs no store keeps serving
            assertThat(gw.get("/open/x").statusCode()).isEqualTo(200);
            assertThat(gw.admin("GET", "/health", null).statusCode()).isEqualTo(503);
            assertThat(gw.admin("POST", "/keys/def", "{\"access_rights\": {\"k\": {}}}").statusCode()).isEqualTo(503);

            redis = RedisServer.startOn(port);
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            int status = 0;
            while (System.nanoTime() < deadline) {
                status = gw.admin("POST", "/keys/abc", "{\"access_rights\": {\"k\": {}}}").statusCode();
                if (status == 201) break;
                Thread.sleep(200);
            }
            assertThat(status).as("admin API works again once Redis is back").isEqualTo(201);
            assertThat(gw.get("/k/x", "Authorization", "abc").statusCode()).isEqualTo(200);
        } finally {
            redis.close();
        }
    }
}
