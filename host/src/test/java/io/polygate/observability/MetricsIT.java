package io.polygate.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.session.KeyHash;
import io.polygate.session.SessionStore;
import io.polygate.testing.GatewayFixture;
import io.polygate.testing.PluginTesting;
import io.polygate.testing.RedisServer;
import io.polygate.testing.Scrape;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.hawkular.agent.prometheus.types.MetricType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /metrics} after real traffic, read with a Prometheus text parser: a Python plugin API
 * (a passing and a failing hook call), a rate-limited API until its 429, an API whose upstream is
 * down (502), a Redis error reply; on the admin port with the secret, and on {@code metrics.port}
 * without it. One gateway (Redis-backed) serves every test.
 */
@Timeout(180)
class MetricsIT {
    static RedisServer redis;
    static GatewayFixture gw;
    static Scrape scrape;
    static String scrapeText;

    @BeforeAll
    static void start() throws Exception {
        System.setProperty("polygate.plugin.pool_size", "1");
        redis = RedisServer.start();
        Path tmp = Files.createTempDirectory("polygate-metrics");
        Path bundle = Files.createDirectories(tmp.resolve("bundles/py-metrics"));
        Files.writeString(bundle.resolve("manifest.json"), """
                {"file_list": ["middleware.py"], "custom_middleware": {"driver": "python", "pre": [{"name": "Check"}]}}""");
        Files.writeString(bundle.resolve("middleware.py"), """
                from tyk.decorators import *

                @Pre
                def Check(request, session, spec):
                    if request.get_header('X-Fail'):
                        raise ValueError('asked to fail')
                    return request, session
                """);
        int closed = RedisServer.freePort();
        gw = GatewayFixture.start("""
                storage: {type: redis, redis_uri: "%s"}
                bundles_dir: bundles
                metrics: {port: 0}
                apis:
                  - {api_id: py, listen_path: /py, target_url: "echo://", auth: none, custom_middleware_bundle: py-metrics}
                  - {api_id: limited, listen_path: /limited, target_url: "echo://", auth: none, global_rate_limit: {rate: 2, per: 60}}
                  - {api_id: down, listen_path: /down, target_url: "http://127.0.0.1:%d", auth: none}
                  - {api_id: keyed, listen_path: /keyed, target_url: "echo://", auth: key}
                """.formatted(redis.uri(), closed), tmp);
        PluginTesting.awaitBundles(gw.gateway(), Duration.ofMinutes(2), "py-metrics");

        assertThat(gw.get("/py/ok").statusCode()).isEqualTo(200);
        assertThat(gw.get("/py/ok").statusCode()).isEqualTo(200);
        assertThat(gw.get("/py/fail", "X-Fail", "1").statusCode()).isEqualTo(500);
        int status = 0;
        for (int i = 0; i < 10 && status != 429; i++) status = gw.get("/limited/x").statusCode();
        assertThat(status).isEqualTo(429);
        assertThat(gw.get("/down/x").statusCode()).isEqualTo(502);
        // a key stored as a list: the gateway's GET of it gets Redis's WRONGTYPE error reply
        redis.command("RPUSH", SessionStore.PREFIX + KeyHash.of("listed"), "x");
        assertThat(gw.get("/keyed/x", "Authorization", "listed").statusCode()).isEqualTo(503);

        // Lettuce tells its command listener of the error just after completing the command, so the
        // 503 can be answered before the error is counted: scrape until it is (or 10 s have passed)
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        do {
            HttpResponse<String> m = gw.admin("GET", "/metrics", null);
            assertThat(m.statusCode()).isEqualTo(200);
            assertThat(m.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            scrapeText = m.body();
            scrape = Scrape.parse(scrapeText);
        } while (scrape.series("polygate_redis_command_errors_total", "command", "GET").isEmpty() && System.nanoTime() < deadline);
    }

    @AfterAll
    static void stop() {
        System.clearProperty("polygate.plugin.pool_size");
        if (gw != null) gw.close();
        if (redis != null) redis.close();
    }

    /**
     * The same scrape read by the Prometheus project's own parser (prometheus_client's, Python: the
     * Java client only writes the format). Needs python3-prometheus-client (.ci/run installs it).
     */
    @Test
    void theScrapeParsesWithThePrometheusClientsOwnParser() throws Exception {
        // Debian's python3-prometheus-client goes with the system Python, which another python3 on PATH may hide
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        boolean installed = new ProcessBuilder(python, "-c", "import prometheus_client.parser").start().waitFor() == 0;
        if (System.getenv("CI") == null) org.junit.jupiter.api.Assumptions.assumeTrue(installed, "python3-prometheus-client is not installed");
        assertThat(installed).as("python3 with prometheus_client (apt-get install python3-prometheus-client)").isTrue();
        Process parser = new ProcessBuilder(python, "-c", """
                import sys
                from prometheus_client.parser import text_string_to_metric_families
                for family in text_string_to_metric_families(sys.stdin.read()):
                    for sample in family.samples:
                        if sample.name == 'polygate_requests_total' and sample.labels == {'api': 'py', 'code': '2xx'}:
                            print(family.type, sample.value)
                """).redirectErrorStream(true).start();
        try (var in = parser.getOutputStream()) {
            in.write(scrapeText.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String out = new String(parser.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        assertThat(parser.waitFor()).as("the parser's output: %s", out).isZero();
        assertThat(out).isEqualTo("counter 2.0");
    }

    @Test
    void requestsAreCountedAndTimedByApiMethodAndExactStatus() {
        assertThat(scrape.type("polygate_request_duration_seconds")).isEqualTo(MetricType.HISTOGRAM);
        assertThat(scrape.value("polygate_request_duration_seconds", "api", "py", "method", "GET", "status", "200")).isEqualTo(2);
        assertThat(scrape.value("polygate_request_duration_seconds", "api", "py", "method", "GET", "status", "500")).isEqualTo(1);
        assertThat(scrape.value("polygate_request_duration_seconds", "api", "limited", "status", "429")).isEqualTo(1);
        assertThat(scrape.value("polygate_request_duration_seconds", "api", "limited", "status", "200")).isEqualTo(2);
        assertThat(scrape.value("polygate_request_duration_seconds", "api", "down", "method", "GET", "status", "502")).isEqualTo(1);
        assertThat(scrape.value("polygate_requests_total", "api", "down", "code", "5xx")).isEqualTo(1);
        assertThat(scrape.value("polygate_requests_total", "api", "py", "code", "2xx")).isEqualTo(2);
    }

    @Test
    void upstreamTimeIsRecordedForRequestsThatReachedTheUpstream() {
        assertThat(scrape.type("polygate_upstream_duration_seconds")).isEqualTo(MetricType.HISTOGRAM);
        // the 502 went to the upstream; the 429 and the plugin's 500 never did
        assertThat(scrape.value("polygate_upstream_duration_seconds", "api", "down")).isEqualTo(1);
        assertThat(scrape.value("polygate_upstream_duration_seconds", "api", "limited")).isEqualTo(2);
        assertThat(scrape.value("polygate_upstream_duration_seconds", "api", "py")).isEqualTo(2);
    }

    @Test
    void hookCallsAreTimedAndTheirFailuresCountedByBundleHookAndPhase() {
        String[] hook = {"bundle", "py-metrics", "hook", "Check", "phase", "pre"};
        assertThat(scrape.value("polygate_hook_duration_seconds", hook)).isEqualTo(3);
        assertThat(scrape.value("polygate_hook_errors_total", hook)).isEqualTo(1);
        assertThat(scrape.type("polygate_hook_timeouts_total")).isEqualTo(MetricType.COUNTER);
        assertThat(scrape.value("polygate_hook_timeouts_total", hook)).isEqualTo(0);
    }

    @Test
    void bundleLoadsAndGoLiveTimeAreRecordedByBundle() {
        assertThat(scrape.value("polygate_bundle_loads_total", "bundle", "py-metrics")).isEqualTo(1);
        assertThat(scrape.value("polygate_bundle_go_live_seconds", "bundle", "py-metrics")).isEqualTo(1);
        assertThat(scrape.series("polygate_bundle_load_failures_total", "bundle", "py-metrics")).isEmpty();
    }

    @Test
    void limiterDecisionsAreCountedByApiScopeAndOutcome() {
        assertThat(scrape.value("polygate_limiter_decisions_total", "api", "limited", "scope", "api", "outcome", "allowed")).isEqualTo(2);
        assertThat(scrape.value("polygate_limiter_decisions_total", "api", "limited", "scope", "api", "outcome", "denied")).isEqualTo(1);
        assertThat(scrape.value("polygate_limit_rate_limited_total")).isEqualTo(1);
    }

    @Test
    void redisCommandsAreTimedAndTheirErrorsCountedByCommand() {
        assertThat(scrape.value("lettuce_command_completion_seconds", "command", "EVALSHA")).isPositive();
        assertThat(scrape.series("lettuce_command_completion_seconds").getFirst().getLabels()).doesNotContainKeys("local", "remote");
        assertThat(scrape.value("polygate_redis_command_errors_total", "command", "GET")).isEqualTo(1);
    }

    @Test
    void sessionCacheJvmAndJettySeriesAreThere() {
        assertThat(scrape.names()).contains("polygate_session_cache_hits_total", "polygate_session_cache_misses_total",
                "polygate_session_cache_invalidations_total", "polygate_client_timeouts_total",
                "jvm_memory_used_bytes", "jvm_gc_memory_allocated_bytes_total", "jvm_threads_live_threads", "jvm_classes_loaded_classes",
                "system_cpu_count", "jetty_threads_current", "jetty_connections_current_connections");
    }

    @Test
    void theMetricsPortServesWithoutTheSecretAndOnlyMetrics() throws Exception {
        int port = gw.gateway().metricsPort();
        assertThat(port).isPositive();
        HttpResponse<String> open = send("GET", port, "/metrics");
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(Scrape.parse(open.body()).value("polygate_requests_total", "api", "py", "code", "2xx")).isEqualTo(2);
        assertThat(send("GET", port, "/keys").statusCode()).isEqualTo(404);
        assertThat(send("POST", port, "/metrics").statusCode()).isEqualTo(405);
        // the admin port's /metrics still wants the secret
        assertThat(gw.adminWithSecret("wrong", "GET", "/metrics", null).statusCode()).isEqualTo(401);
    }

    private static HttpResponse<String> send(String method, int port, String path) throws Exception {
        return gw.http().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
