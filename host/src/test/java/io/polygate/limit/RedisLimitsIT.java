package io.polygate.limit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.proxy.EchoServer;
import io.polygate.testing.GatewayFixture;
import io.polygate.testing.RedisServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Limits over a real redis-server that goes away and comes back: fail open, fail closed, recovery. */
class RedisLimitsIT {
    RedisServer redis;
    EchoServer upstream;
    GatewayFixture gw;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        upstream = new EchoServer("127.0.0.1", 0).start();
    }

    @AfterEach
    void stop() throws Exception {
        if (gw != null) gw.close();
        upstream.close();
        redis.close();
    }

    GatewayFixture gateway(String onStoreError) throws Exception {
        gw = GatewayFixture.start("storage: {type: redis, redis_uri: '" + redis.uri() + "', timeout: 300ms}\n"
                + "rate_limit: {algorithm: sliding_log, on_store_error: " + onStoreError + ", store_retry: 300ms}\n"
                + "apis:\n  - api_id: open\n    listen_path: /open\n    target_url: http://127.0.0.1:" + upstream.port() + "\n"
                + "    auth: none\n    global_rate_limit: {rate: 3, per: 60}\n");
        return gw;
    }

    long logSize() throws Exception {
        String r = redis.command("ZCARD", "polygate:rl:{api:open}:log");
        return Long.parseLong(r.substring(1).trim());
    }

    JsonNode stats() throws Exception { return GatewayFixture.json(gw.admin("GET", "/limits/stats", null)); }

    @Test
    void failOpenServesWithALocalStandInAndGoesBackToRedisWhenItReturns() throws Exception {
        gateway("allow");
        assertThat(gw.get("/open/x").statusCode()).isEqualTo(200);
        assertThat(gw.get("/open/x").statusCode()).isEqualTo(200);
        assertThat(logSize()).isEqualTo(2);

        int port = redis.port();
        redis.close();
        // the stand-in starts empty and enforces the same limit on this node
        assertThat(gw.get("/open/x").statusCode()).isEqualTo(200);
        assertThat(gw.get("/open/x").statusCode()).isEqualTo(200);
        assertThat(gw.get("/open/x").statusCode()).isEqualTo(200);
        HttpResponse<String> limited = gw.get("/open/x");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(stats().get("store_errors").asLong()).isPositive();
        assertThat(stats().get("failed_open").asLong()).isGreaterThanOrEqualTo(4);

        redis = RedisServer.startOn(port);
        long deadline = System.currentTimeMillis() + 20_000;
        while (logSize() == 0 && System.currentTimeMillis() < deadline) {
            gw.get("/open/x");
            Thread.sleep(200);
        }
        assertThat(logSize()).as("checks counted in Redis again, without a restart").isPositive();
        assertThat(GatewayFixture.json(gw.admin("GET", "/health", null)).get("status").asText()).isEqualTo("pass");
    }

    @Test
    void failClosedAnswers503WhileRedisIsDownAndRecovers() throws Exception {
        gateway("deny");
        assertThat(gw.get("/open/x").statusCode()).isEqualTo(200);
        int port = redis.port();
        redis.close();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = gw.get("/open/x");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(GatewayFixture.json(r).get("error").asText()).isEqualTo("storage unavailable");
        }
        assertThat(stats().get("failed_closed").asLong()).isGreaterThanOrEqualTo(3);

        redis = RedisServer.startOn(port);
        long deadline = System.currentTimeMillis() + 20_000;
        int status = 0;
        while (status != 200 && System.currentTimeMillis() < deadline) {
            status = gw.get("/open/x").statusCode();
            if (status != 200) Thread.sleep(200);
        }
        assertThat(status).isEqualTo(200);
        assertThat(logSize()).isEqualTo(1);
    }
}
