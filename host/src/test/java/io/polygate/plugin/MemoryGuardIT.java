package io.polygate.plugin;

import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.GatewayProcess;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A hook that allocates without bound, in a gateway with a 256 MiB heap: the memory guard stops
 * it (its request gets 503 naming the cause) while other APIs, with and without plugins, keep
 * answering 200; the gateway stays up, the log names the bundle, and the bundle serves again
 * (strikes are raised to 10 here so that repeated bombs do not take a version out of service).
 */
class MemoryGuardIT {
    static GatewayProcess gw;

    @BeforeAll
    static void start() throws Exception {
        Path tmp = Files.createTempDirectory("polygate-memory");
        Path bundles = tmp.resolve("bundles");
        writeBundle(bundles.resolve("bomb-py"), Map.of(
                "manifest.json", "{\"file_list\": [\"middleware.py\"], \"custom_middleware\": {\"driver\": \"python\", \"pre\": [{\"name\": \"Bomb\"}]}}",
                "middleware.py", """
                        from tyk.decorators import *

                        @Hook
                        def Bomb(request, session, spec):
                            if request.get_header('X-Bomb'):
                                x = []
                                while True:
                                    x.append('a' * 1000000)
                            request.add_header('X-Served-By', 'bomb-py')
                            return request, session
                        """));
        writeBundle(bundles.resolve("bomb-js"), Map.of(
                "manifest.json", "{\"file_list\": [\"middleware.js\"], \"custom_middleware\": {\"driver\": \"js\", \"pre\": [{\"name\": \"bomb\"}]}}",
                "middleware.js", """
                        function bomb(request, session, spec) {
                          if (request.get_header('X-Bomb')) { var x = []; for (;;) x.push(new ArrayBuffer(1000000)); }
                          request.add_header('X-Served-By', 'bomb-js');
                        }
                        """));
        writeBundle(bundles.resolve("good"), Map.of(
                "manifest.json", "{\"file_list\": [\"middleware.js\"], \"custom_middleware\": {\"driver\": \"js\", \"pre\": [{\"name\": \"good\"}]}}",
                "middleware.js", "function good(request, session, spec) { request.add_header('X-Served-By', 'good'); }\n"));
        gw = GatewayProcess.start(tmp, """
                bundles_dir: bundles
                plugins: {hook_timeout: 30s, pool_size: 1, memory_strikes: 10}
                apis:
                  - {api_id: plain, listen_path: /plain, strip_listen_path: true, target_url: "echo://", auth: none}
                  - {api_id: good, listen_path: /good, strip_listen_path: true, target_url: "echo://", auth: none, custom_middleware_bundle: good}
                  - {api_id: bomb-py, listen_path: /bomb-py, strip_listen_path: true, target_url: "echo://", auth: none, custom_middleware_bundle: bomb-py}
                  - {api_id: bomb-js, listen_path: /bomb-js, strip_listen_path: true, target_url: "echo://", auth: none, custom_middleware_bundle: bomb-js}
                """, "-Xmx256m");
        for (String api : new String[] {"/plain/x", "/good/x", "/bomb-js/x", "/bomb-py/x"}) gw.await(api, 200, Duration.ofMinutes(3));
    }

    static void writeBundle(Path dir, Map<String, String> files) throws java.io.IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, String> f : files.entrySet()) Files.writeString(dir.resolve(f.getKey()), f.getValue());
    }

    @AfterAll
    static void stop() throws Exception {
        if (gw != null) gw.close();
    }

    void bombIsStoppedWhileOthersServe(String api) throws Exception {
        CompletableFuture<HttpResponse<String>> bomb = CompletableFuture.supplyAsync(() -> {
            try {
                return gw.getWithHeader("/" + api + "/x", "X-Bomb", "1", Duration.ofSeconds(60));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        int servedMeanwhile = 0;
        while (!bomb.isDone()) {
            HttpResponse<String> plain = gw.get("/plain/x", Duration.ofSeconds(5));
            if (plain == null) assertThat(plain).as("the plain API answered while the bomb ran; log:\n%s", gw.log()).isNotNull();
            assertThat(plain.statusCode()).isEqualTo(200);
            servedMeanwhile++;
        }
        HttpResponse<String> stopped = bomb.get();
        assertThat(stopped).as("the bomb's request was answered").isNotNull();
        assertThat(stopped.statusCode()).as(stopped.body()).isEqualTo(503);
        assertThat(json(stopped).path("error").asText()).isEqualTo("plugin hook stopped: the gateway is short of memory");
        assertThat(servedMeanwhile).isPositive();
        assertThat(gw.alive()).isTrue();
        gw.awaitLog("stopped plugin calls {" + api + "=1}", Duration.ofSeconds(10));

        HttpResponse<String> good = gw.get("/good/x", Duration.ofSeconds(5));
        assertThat(good.statusCode()).isEqualTo(200);
        assertThat(json(good).path("headers").path("X-Served-By").asText()).isEqualTo("good");
        gw.await("/" + api + "/x", 200, Duration.ofSeconds(60));
    }

    @Test
    void pythonBomb() throws Exception {
        bombIsStoppedWhileOthersServe("bomb-py");
    }

    /**
     * Three in a row: each starts in an old generation still full of the last one's garbage, which
     * is where a guard acting on late collection notifications let the heap run out.
     */
    @Test
    void jsBombThreeTimes() throws Exception {
        for (int round = 0; round < 3; round++) bombIsStoppedWhileOthersServe("bomb-js");
    }
}
