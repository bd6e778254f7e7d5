package io.polygate.gateway;

import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.BundleZips;
import io.polygate.testing.GatewayProcess;
import io.polygate.testing.RedisServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Two gateway processes on one real Redis under 16 concurrent clients; Redis is killed for 5 s and
 * started again on its data. No gateway dies; while Redis is away a keyless API keeps answering
 * 200 ({@code on_store_error: allow}) and a keyed one answers 503 JSON; every request is answered;
 * full service is back within 2 s of Redis answering again, with the key, the policy and the
 * bundle still there.
 */
class RedisFaultUnderLoadIT {
    static final String KEY = "fault-key-0123456789";

    @Test
    void redisDownForFiveSecondsUnderLoad() throws Exception {
        Path tmp = Files.createTempDirectory("polygate-fault");
        int redisPort = RedisServer.freePort();
        Path redisDir = tmp.resolve("redis");
        RedisServer redis = RedisServer.startDurable(redisPort, redisDir);
        String yaml = """
                storage: {type: redis, redis_uri: "redis://127.0.0.1:%d", timeout: 500ms}
                rate_limit: {on_store_error: allow, store_retry: 500ms}
                bundles_dir: bundles
                apis:
                  - {api_id: open, listen_path: /open, target_url: "echo://", auth: none, global_rate_limit: {rate: 1000000, per: 60}}
                  - {api_id: keyed, listen_path: /keyed, target_url: "echo://", auth: key}
                  - {api_id: plugged, listen_path: /plugged, target_url: "echo://", auth: none, custom_middleware_bundle: stamp}
                """.formatted(redisPort);
        List<GatewayProcess> gateways = new ArrayList<>();
        try {
            for (String node : List.of("a", "b")) {
                Files.createDirectories(tmp.resolve(node).resolve("bundles"));
                gateways.add(GatewayProcess.start(tmp.resolve(node), yaml));
            }
            for (GatewayProcess g : gateways) g.await("/open/x", 200, Duration.ofMinutes(2));
            GatewayProcess a = gateways.get(0);
            assertThat(a.admin("POST", "/policies", "{\"id\": \"fault-policy\", \"rate\": 1000, \"per\": 1, \"access_rights\": {\"keyed\": {}}}").statusCode())
                    .isEqualTo(201);
            assertThat(a.admin("POST", "/keys/" + KEY, "{\"apply_policies\": [\"fault-policy\"]}").statusCode()).isEqualTo(201);
            HttpResponse<String> pushed = a.push("stamp", BundleZips.build(BundleZips.files(
                    "{\"file_list\": [\"middleware.js\"], \"custom_middleware\": {\"driver\": \"js\", \"pre\": [{\"name\": \"stamp\"}]}}",
                    "middleware.js", "function stamp(request, session, spec) { request.add_header('X-Stamp', 'v1'); }\n"), null));
            assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
            for (GatewayProcess g : gateways) {
                g.await("/plugged/x", 200, Duration.ofSeconds(30));
                assertThat(keyed(g).statusCode()).isEqualTo(200);
            }

            AtomicBoolean running = new AtomicBoolean(true);
            Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
            AtomicLong unanswered = new AtomicLong();
            ExecutorService clients = Executors.newFixedThreadPool(16);
            List<Future<?>> load = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                GatewayProcess g = gateways.get(i % 2);
                boolean keyedClient = i % 4 < 2;
                load.add(clients.submit(() -> {
                    while (running.get()) {
                        HttpResponse<String> r = keyedClient ? keyed(g) : g.get("/open/x", Duration.ofSeconds(10));
                        if (r == null) unanswered.incrementAndGet();
                        else answers.computeIfAbsent((keyedClient ? "keyed " : "open ") + r.statusCode(), s -> new AtomicLong()).incrementAndGet();
                    }
                    return null;
                }));
            }
            Thread.sleep(1000);
            redis.close();
            Thread.sleep(5000);
            for (GatewayProcess g : gateways) {
                assertThat(g.alive()).isTrue();
                assertThat(g.get("/open/x", Duration.ofSeconds(5)).statusCode()).as("a keyless API while Redis is down").isEqualTo(200);
                HttpResponse<String> down = keyed(g);
                assertThat(down.statusCode()).as("a keyed API while Redis is down").isEqualTo(503);
                assertThat(json(down).path("error").asText()).isEqualTo("storage unavailable");
            }
            redis = RedisServer.startDurable(redisPort, redisDir);
            long back = System.nanoTime();
            for (GatewayProcess g : gateways) {
                while (keyed(g).statusCode() != 200) {
                    assertThat((System.nanoTime() - back) / 1_000_000).as("ms until the keyed API serves again").isLessThan(2000);
                    Thread.sleep(20);
                }
            }
            Thread.sleep(500);
            running.set(false);
            for (Future<?> f : load) f.get(30, TimeUnit.SECONDS);
            clients.shutdown();

            assertThat(unanswered.get()).as("requests without an answer; answers: %s", answers).isZero();
            assertThat(answers.keySet()).as("answers: %s", answers).containsOnly("open 200", "keyed 200", "keyed 503");
            for (GatewayProcess g : gateways) {
                assertThat(g.alive()).isTrue();
                assertThat(g.admin("GET", "/policies/fault-policy", null).statusCode()).isEqualTo(200);
                assertThat(json(g.get("/plugged/x", Duration.ofSeconds(5))).path("headers").path("X-Stamp").asText()).isEqualTo("v1");
            }
        } finally {
            for (GatewayProcess g : gateways) g.close();
            redis.close();
        }
    }

    @Test
    void redisDownAtStartIsOneLineAndExitStatusOne() throws Exception {
        Path tmp = Files.createTempDirectory("polygate-no-redis");
        int closed = RedisServer.freePort();
        try (GatewayProcess g = GatewayProcess.start(tmp, "storage: {type: redis, redis_uri: \"redis://127.0.0.1:" + closed + "\"}\napis: []\n")) {
            assertThat(g.exitCode(Duration.ofMinutes(1))).isEqualTo(1);
            assertThat(g.log()).contains("polygate: cannot start: cannot connect to redis redis://127.0.0.1:" + closed + ": ")
                    .doesNotContain("\tat ").doesNotContain("Exception in thread");
        }
    }

    static HttpResponse<String> keyed(GatewayProcess g) throws InterruptedException {
        return g.getWithHeader("/keyed/x", "Authorization", KEY, Duration.ofSeconds(10));
    }
}
