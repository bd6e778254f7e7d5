package io.polygate.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.proxy.EchoServer;
import io.polygate.testing.GatewayFixture;
import io.polygate.testing.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two gateway processes (this JVM and a second one started with {@code io.polygate.Main start})
 * share one redis-server; 64 concurrent clients, half on each, hammer one key limited to 100
 * requests per 10 s. The fleet must admit exactly 100 with the sliding log and the fixed window,
 * and 100 plus what refills during the burst with the token bucket.
 */
class TwoGatewaysIT {
    static final int CLIENTS = 64;
    static final int REQUESTS_PER_CLIENT = 5;

    static RedisServer redis;
    static EchoServer upstream;
    static GatewayFixture a;
    static Process b;
    static int bPort;
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        upstream = new EchoServer("127.0.0.1", 0).start();
        String apis = "apis:\n"
                + api("log", "sliding_log") + api("fixed", "fixed_window") + api("bucket", "token_bucket");
        String common = "host: 127.0.0.1\nstorage: {type: redis, redis_uri: '" + redis.uri() + "', timeout: 10s}\n";
        a = GatewayFixture.start(common + apis);
        dir = Files.createTempDirectory("polygate-two");
        bPort = RedisServer.freePort();
        int bAdmin = RedisServer.freePort();
        Path config = dir.resolve("b.yaml");
        Files.writeString(config, common + "listen_port: " + bPort + "\nadmin: {port: " + bAdmin + ", secret: s}\n"
                + "bundles_dir: " + dir.resolve("bundles") + "\n" + apis);
        String java = System.getProperty("polygate.test.java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        b = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.polygate.Main", "start", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("b.log").toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bAdmin + "/health"))
                        .header("X-Polygate-Secret", "s").build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) break;
            } catch (java.io.IOException notYet) {
                if (!b.isAlive() || System.currentTimeMillis() > deadline)
                    throw new AssertionError("second gateway did not start: " + Files.readString(dir.resolve("b.log")));
                Thread.sleep(200);
            }
        }
        for (String k : List.of("log", "fixed", "bucket"))
            assertThat(a.admin("POST", "/keys/k-" + k, "{\"rate\": 100, \"per\": 10, \"access_rights\": {\"" + k + "\": {}}}").statusCode()).isEqualTo(201);
    }

    static String api(String id, String algorithm) {
        return "  - api_id: " + id + "\n    listen_path: /" + id + "\n    target_url: http://127.0.0.1:" + upstream.port()
                + "\n    auth: key\n    rate_limit_algorithm: " + algorithm + "\n";
    }

    @AfterAll
    static void stop() throws Exception {
        if (b != null) {
            b.destroy();
            b.waitFor();
        }
        if (a != null) a.close();
        if (upstream != null) upstream.close();
        if (redis != null) redis.close();
    }

    record Burst(int admitted, int limited, long millis, int admittedByA, int admittedByB) {}

    /** 64 clients, half on each gateway, 5 requests each, all released at once. */
    static Burst burst(String api) throws Exception {
        AtomicInteger ok = new AtomicInteger(), limited = new AtomicInteger(), okA = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(8)).build();
        List<Future<?>> all = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int port = c % 2 == 0 ? a.gateway().port() : bPort;
            all.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/" + api + "/x"))
                            .header("Authorization", "k-" + api).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        ok.incrementAndGet();
                        if (port == a.gateway().port()) okA.incrementAndGet();
                    }
                    else if (r.statusCode() == 429) limited.incrementAndGet();
                    else throw new AssertionError(r.statusCode() + " " + r.body());
                }
                return null;
            }));
        }
        long start = System.nanoTime();
        go.countDown();
        for (Future<?> f : all) f.get();
        long millis = (System.nanoTime() - start) / 1_000_000;
        pool.shutdown();
        Burst b = new Burst(ok.get(), limited.get(), millis, okA.get(), ok.get() - okA.get());
        System.out.println("burst " + api + ": " + b);
        return b;
    }

    @Test
    void slidingLogAdmitsExactlyTheLimitAcrossTwoGateways() throws Exception {
        Burst r = burst("log");
        assertThat(r.millis()).as("the burst fits in one window").isLessThan(10_000);
        assertThat(r.admitted()).isEqualTo(100);
        assertThat(r.admittedByA()).as("both gateways admitted some").isPositive();
        assertThat(r.admittedByB()).isPositive();
        assertThat(r.limited()).isEqualTo(CLIENTS * REQUESTS_PER_CLIENT - 100);
    }

    @Test
    void fixedWindowAdmitsExactlyTheLimitAcrossTwoGateways() throws Exception {
        // start just after a 10 s window opens so the burst stays inside one window
        long now = System.currentTimeMillis();
        Thread.sleep(10_000 - now % 10_000 + 50);
        Burst r = burst("fixed");
        assertThat(r.millis()).isLessThan(9_000);
        assertThat(r.admitted()).isEqualTo(100);
    }

    @Test
    void tokenBucketAdmitsTheBurstPlusTheRefillAcrossTwoGateways() throws Exception {
        Burst r = burst("bucket");
        // 100 at once, then 10 per second while the burst lasts (docs/limits.md)
        long refill = (long) Math.ceil(r.millis() / 1000.0 * 10);
        assertThat(r.admitted()).isBetween(100, (int) (100 + refill + 1));
    }
}
