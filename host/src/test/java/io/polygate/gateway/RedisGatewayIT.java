package io.polygate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.GatewayFixture;
import io.polygate.testing.RedisServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link GatewayBehaviour} with a real redis-server as the store, and what only a remote store shows. */
class RedisGatewayIT extends GatewayBehaviour {
    static RedisServer redis;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        startUpstreams();
        gw = GatewayFixture.start(yaml("{type: redis, redis_uri: \"" + redis.uri() + "\", timeout: 5s}"));
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) redis.close();
    }

    /**
     * Key auth reads the key's session and its policies from Redis without holding a thread: while
     * Redis is paused, 64 requests wait for it and the gateway's busy threads stay few (with a
     * blocking read each request held one); once Redis answers, each gets its answer.
     */
    @Test
    void requestsWaitingForRedisToAuthenticateTheirKeyHoldNoThread() throws Exception {
        assertThat(gw.admin("POST", "/apis", """
                {"api_id": "waits", "listen_path": "/waits", "target_url": "echo://", "auth": "key"}""").statusCode()).isEqualTo(201);
        assertThat(gw.admin("POST", "/policies", """
                {"id": "waits-policy", "rate": 1000, "per": 1, "access_rights": {"waits": {"api_id": "waits"}}}""").statusCode()).isEqualTo(201);
        gw.admin("POST", "/keys/waits-key", "{\"apply_policies\": [\"waits-policy\"]}");
        assertThat(gw.get("/waits/x", "Authorization", "waits-key").statusCode()).isEqualTo(200);
        int idle = busyThreads();
        Thread.sleep(1_100); // the policy cache (1 s) has expired: the next requests read the policy too

        // Redis answers no command for 2.5 s (the store's timeout here is 5 s); CLIENT UNPAUSE would wait too
        assertThat(redis.command("CLIENT", "PAUSE", "2500", "ALL")).contains("OK");
        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            waiting.add(gw.http().sendAsync(HttpRequest.newBuilder(gw.url("/waits/" + i)).header("Authorization", "waits-key")
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        Thread.sleep(1_000);
        assertThat(waiting).noneMatch(CompletableFuture::isDone);
        int busyWhileWaiting = busyThreads();

        for (CompletableFuture<HttpResponse<String>> r : waiting) assertThat(r.get().statusCode()).isEqualTo(200);
        assertThat(busyWhileWaiting).as("busy threads while 64 requests wait for Redis (idle: %d)", idle).isLessThan(idle + 8);
        gw.admin("DELETE", "/apis/waits", null);
    }

    /** {@code jetty_threads_busy} of the gateway's pool, from its metrics. */
    private static int busyThreads() throws Exception {
        Matcher m = Pattern.compile("(?m)^jetty_threads_busy(\\{[^}]*})? ([0-9.]+)").matcher(gw.admin("GET", "/metrics", null).body());
        assertThat(m.find()).as("jetty_threads_busy in /metrics").isTrue();
        return (int) Double.parseDouble(m.group(2));
    }
}
