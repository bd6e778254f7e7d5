package io.polygate.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.GatewayFixture;
import io.polygate.testing.PluginTesting;
import io.polygate.testing.RedisServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Tyk forum scenario, live: the per-user-rate plugin caches key foo's session for 60 s
 * (id_extractor_deadline) at 10 per 60 s; a plain {@code SET coprocess-data:rate:foo 15} into
 * Redis, made by redis-cli and not by the gateway, drops the cached session on both nodes, so the
 * next response carries the new limit and what was consumed in the window still counts (one
 * sliding log per key in Redis, shared by the nodes).
 */
class LiveLimitsIT {
    static RedisServer redis;
    static GatewayFixture a;
    static GatewayFixture b;

    @BeforeAll
    static void start() throws Exception {
        System.setProperty("polygate.plugin.pool_size", "1");
        // the first Python call of a fresh context is slow on a busy 2-core machine: do not let the 1 s default cut it
        System.setProperty("polygate.plugin.timeout_ms", "10000");
        redis = RedisServer.start();
        Path tmp = Files.createTempDirectory("polygate-live-limits");
        a = node(tmp.resolve("a"));
        b = node(tmp.resolve("b"));
        PluginTesting.awaitBundles(a.gateway(), Duration.ofMinutes(2), "per-user-rate");
        PluginTesting.awaitBundles(b.gateway(), Duration.ofMinutes(2), "per-user-rate");
        PluginTesting.awaitBundles(a.gateway(), Duration.ofMinutes(1), "set-rate");
    }

    static GatewayFixture node(Path dir) throws Exception {
        PluginTesting.bundlesDir(dir.resolve("bundles"), Map.of("per-user-rate", "samples/python/per-user-rate"));
        Files.createDirectories(dir.resolve("bundles/set-rate"));
        Files.writeString(dir.resolve("bundles/set-rate/manifest.json"),
                "{\"file_list\": [\"middleware.js\"], \"custom_middleware\": {\"driver\": \"js\", \"pre\": [{\"name\": \"setRate\"}]}}");
        Files.writeString(dir.resolve("bundles/set-rate/middleware.js"),
                "function setRate(request, session, spec) { tyk.store_data('rate:' + request.get_header('Key'), request.get_header('Rate'), 0); }\n");
        return GatewayFixture.start("""
                storage: {type: redis, redis_uri: "%s"}
                # an exact count shared by both nodes (the default token bucket with drl splits the rate between nodes)
                rate_limit: {algorithm: sliding_log}
                bundles_dir: bundles
                apis:
                  - {api_id: forum, listen_path: /forum, strip_listen_path: true, target_url: "echo://", auth: plugin, custom_middleware_bundle: per-user-rate}
                  - {api_id: set-rate, listen_path: /set-rate, strip_listen_path: true, target_url: "echo://", auth: none, custom_middleware_bundle: set-rate, disable_rate_limit: true}
                """.formatted(redis.uri()), dir);
    }

    @AfterAll
    static void stop() {
        System.clearProperty("polygate.plugin.pool_size");
        System.clearProperty("polygate.plugin.timeout_ms");
        for (GatewayFixture g : new GatewayFixture[] {a, b}) if (g != null) g.close();
        if (redis != null) redis.close();
    }

    static HttpResponse<String> foo(GatewayFixture g) throws Exception {
        return g.get("/forum/x", "Key", "foo");
    }

    static String limit(HttpResponse<String> r) {
        return r.headers().firstValue("X-RateLimit-Limit").orElse("none");
    }

    /** Requests, alternating between the nodes, until the first 429; returns how many were admitted. */
    static int admittedUntilRefused() throws Exception {
        for (int n = 0; n < 100; n++) {
            HttpResponse<String> r = foo(n % 2 == 0 ? a : b);
            if (r.statusCode() == 429) {
                assertThat(limit(r)).isEqualTo("15");
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
                return n;
            }
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(limit(r)).isEqualTo("15");
        }
        throw new AssertionError("never refused");
    }

    @Test
    void plainRedisSetOfTheRateAppliesOnTheNextResponseOnBothNodesAndKeepsWhatWasConsumed() throws Exception {
        assertThat(redis.command("CONFIG", "GET", "notify-keyspace-events")).contains("K");
        // key foo at the default 10 per 60 s; the plugin caches the session until 60 s from now
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> r = foo(a);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(limit(r)).isEqualTo("10");
            assertThat(r.headers().firstValue("X-RateLimit-Remaining").orElseThrow()).isEqualTo(Integer.toString(9 - i));
        }
        HttpResponse<String> onB = foo(b);
        assertThat(onB.statusCode()).isEqualTo(200);
        assertThat(limit(onB)).isEqualTo("10");
        assertThat(remaining(onB)).isEqualTo("5"); // one window for key foo, shared by both nodes

        // what redis-cli SET does: a plain command on its own connection, not through the gateway
        assertThat(redis.command("SET", "coprocess-data:rate:foo", "15")).contains("OK");
        Thread.sleep(200); // keyspace notifications are asynchronous (delivered within milliseconds)

        HttpResponse<String> nextA = foo(a);
        assertThat(nextA.statusCode()).isEqualTo(200);
        assertThat(limit(nextA)).isEqualTo("15");
        assertThat(remaining(nextA)).isEqualTo("9"); // 5 taken at 10 still count: 6 of 15 used
        HttpResponse<String> nextB = foo(b);
        assertThat(nextB.statusCode()).isEqualTo(200);
        assertThat(limit(nextB)).isEqualTo("15");
        assertThat(remaining(nextB)).isEqualTo("8");

        // 15 in the window in all: 7 so far, 8 more
        assertThat(admittedUntilRefused()).isEqualTo(8);
    }

    static String remaining(HttpResponse<String> r) {
        return r.headers().firstValue("X-RateLimit-Remaining").orElse("none");
    }

    @Test
    void storeDataByAPluginOnOneNodeAppliesOnTheOtherNode() throws Exception {
        HttpResponse<String> first = b.get("/forum/x", "Key", "bar");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(limit(first)).isEqualTo("10");
        assertThat(limit(b.get("/forum/x", "Key", "bar"))).isEqualTo("10");

        HttpResponse<String> set = a.get("/set-rate/x", "Key", "bar", "Rate", "12");
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        assertThat(redis.command("GET", "coprocess-data:rate:bar")).contains("12");
        Thread.sleep(200);

        HttpResponse<String> next = b.get("/forum/x", "Key", "bar");
        assertThat(limit(next)).isEqualTo("12");
        // 2 taken at 10, this one at 12
        assertThat(remaining(next)).isEqualTo("9");
    }

    @Test
    void keyChangedThroughTheAdminApiDropsTheCachedSessionsOnBothNodes() throws Exception {
        var log = PluginTesting.captureLog("io.polygate.Gateway");
        assertThat(a.get("/forum/x", "Key", "qux").statusCode()).isEqualTo(200);
        assertThat(b.get("/forum/x", "Key", "qux").statusCode()).isEqualTo(200);
        // the session the auth hook built is kept under its token like a key (Tyk): change it
        HttpResponse<String> changed = a.admin("PUT", "/keys/qux", "{\"rate\": 20, \"per\": 60}");
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (count(log, "changed: 1 cached session(s) dropped", "key ") < 2) {
            assertThat(System.nanoTime()).as("the cached sessions of qux were not dropped on both nodes").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    static long count(ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log, String text, String prefix) {
        synchronized (log.list) {
            return log.list.stream().map(e -> e.getFormattedMessage()).filter(m -> m.startsWith(prefix) && m.contains(text)).count();
        }
    }
}
