package io.polygate.edge;

import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.GatewayFixture;
import io.polygate.testing.LoopbackUpstream;
import io.polygate.testing.RedisServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several upstream targets per API: weights honoured, a target stopped under load costs no request
 * (retries) and leaves and rejoins the rotation by its health check, no target left is a 503 at
 * once, and only idempotent requests are retried.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LoadBalancingIT {
    static LoopbackUpstream a;
    static LoopbackUpstream b;
    static int bPort;
    static LoopbackUpstream c;
    static int deadPort;
    static GatewayFixture gw;

    @BeforeAll
    static void start() throws Exception {
        a = named("a", 0);
        b = named("b", 0);
        bPort = b.port();
        c = named("c", 0);
        deadPort = RedisServer.freePort();
        gw = GatewayFixture.start("""
                apis:
                  - api_id: weighted
                    listen_path: /weighted
                    auth: none
                    upstream: {targets: [{url: "http://127.0.0.1:%1$d", weight: 3}, {url: "http://127.0.0.1:%3$d", weight: 1}]}
                  - api_id: checked
                    listen_path: /checked
                    auth: none
                    upstream:
                      targets: [{url: "http://127.0.0.1:%1$d"}, {url: "http://127.0.0.1:%2$d"}]
                      retries: 1
                      health_check: {path: /health, interval: 200ms, timeout: 500ms, healthy_after: 2, unhealthy_after: 2}
                  - api_id: all-down
                    listen_path: /all-down
                    auth: none
                    upstream:
                      targets: ["http://127.0.0.1:%4$d", "http://127.0.0.1:%4$d/other"]
                      health_check: {path: /health, interval: 100ms, unhealthy_after: 1}
                  - api_id: one-dead
                    listen_path: /one-dead
                    auth: none
                    upstream: {targets: ["http://127.0.0.1:%4$d", "http://127.0.0.1:%3$d"], retries: 1, passive_health_check: {failures: 0}}
                  - api_id: tyk-list
                    listen_path: /tyk-list
                    use_keyless: true
                    proxy: {enable_load_balancing: true, target_list: ["http://127.0.0.1:%1$d", "http://127.0.0.1:%1$d", "http://127.0.0.1:%3$d"]}
                """.formatted(a.port(), bPort, c.port(), deadPort));
    }

    static LoopbackUpstream named(String name, int port) throws Exception {
        return LoopbackUpstream.answering((request, body) -> name, port);
    }

    @AfterAll
    static void stop() throws Exception {
        if (gw != null) gw.close();
        for (LoopbackUpstream u : new LoopbackUpstream[] {a, b, c}) if (u != null) u.close();
    }

    @Test
    void weightsAreHonouredWithinTenPercentOverAThousandRequests() throws Exception {
        Map<String, Integer> served = serve("/weighted/x", 1000);
        assertThat(served.getOrDefault("a", 0)).as("weight 3 of 4: %s", served).isBetween(675, 825);
        assertThat(served.getOrDefault("c", 0)).as("weight 1 of 4: %s", served).isBetween(175, 325);
        Map<String, Integer> tyk = serve("/tyk-list/x", 300);
        assertThat(tyk.getOrDefault("a", 0)).as("listed twice in target_list: %s", tyk).isBetween(180, 220);
    }

    @Test
    void aTargetStoppedUnderLoadCostsNoRequestAndLeavesAndRejoinsTheRotation() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<?>> load = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            load.add(clients.submit(() -> {
                while (running.get()) statuses.computeIfAbsent(gw.get("/checked/x").statusCode(), s -> new AtomicLong()).incrementAndGet();
                return null;
            }));
        }
        try {
            Thread.sleep(1000);
            assertThat(serve("/checked/x", 20)).as("both serve before").containsKeys("a", "b");
            b.close();
            // out of rotation within interval x unhealthy_after (400 ms), with room for a loaded machine
            Thread.sleep(1500);
            assertThat(serve("/checked/x", 40)).as("only a serves while b is down").containsOnlyKeys("a");
            b = named("b", bPort);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!serve("/checked/x", 10).containsKey("b")) {
                assertThat(System.nanoTime()).as("b back in rotation after healthy_after checks").isLessThan(deadline);
                Thread.sleep(100);
            }
        } finally {
            running.set(false);
            for (Future<?> f : load) f.get(30, TimeUnit.SECONDS);
            clients.shutdown();
        }
        assertThat(statuses.keySet()).as("statuses under load: %s", statuses).containsOnly(200);
    }

    @Test
    void noTargetInRotationIsA503NamingTheApi() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        HttpResponse<String> r;
        while ((r = gw.get("/all-down/x")).statusCode() != 503) {
            assertThat(r.statusCode()).as("before the checks ran: unreachable").isEqualTo(502);
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(100);
        }
        assertThat(json(r).path("error").asText()).isEqualTo("no upstream target of API \"all-down\" is in rotation (all 2 down)");
    }

    @Test
    void onlyIdempotentRequestsWithoutAStreamedBodyAreRetried() throws Exception {
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> get = gw.get("/one-dead/x");
            assertThat(get.statusCode()).as("a GET whose target is down goes to the other").isEqualTo(200);
            assertThat(get.body()).isEqualTo("c");
        }
        List<Integer> posts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            posts.add(gw.http().send(HttpRequest.newBuilder(gw.url("/one-dead/x")).POST(HttpRequest.BodyPublishers.ofString("order")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        }
        assertThat(posts).as("a POST is not sent twice: the dead target's turns are 502s").contains(200, 502);
    }

    @Test
    void badTargetListsAreConfigErrorsNamingEachEntry() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GatewayFixture.start("""
                apis:
                  - {api_id: bad, listen_path: /bad, auth: none, upstream: {targets: ["ftp://x", {url: "echo://"}], balance: fastest}}
                  - {api_id: tyk, listen_path: /tyk, use_keyless: true, proxy: {enable_load_balancing: true, target_list: ["echo://"]}}
                """).close())
                .isInstanceOf(io.polygate.config.ConfigException.class)
                .satisfies(e -> assertThat(((io.polygate.config.ConfigException) e).errors()).containsExactlyInAnyOrder(
                        "apis[0].upstream.targets[0]: not a URL: \"ftp://x\" (e.g. \"http://127.0.0.1:9000\" or \"echo://\")",
                        "apis[0].upstream.targets[1].url: echo:// cannot be one of several targets",
                        "apis[0].upstream.balance: \"fastest\" is not one of round_robin, weighted, least_requests",
                        "apis[1].proxy.target_list[0]: echo:// cannot be one of several targets"));
    }

    static Map<String, Integer> serve(String path, int n) throws Exception {
        Map<String, Integer> served = new ConcurrentHashMap<>();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = gw.get(path);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            served.merge(r.body(), 1, Integer::sum);
        }
        return served;
    }
}
