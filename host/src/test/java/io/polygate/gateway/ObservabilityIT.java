package io.polygate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.polygate.session.KeyHash;
import io.polygate.testing.GatewayFixture;
import io.polygate.testing.LoopbackUpstream;
import io.polygate.testing.OtlpReceiver;
import io.polygate.testing.OtlpReceiver.ReceivedSpan;
import io.polygate.testing.PluginTesting;
import io.polygate.testing.RedisServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Request ids, the access log, tracing and the health endpoints of one real gateway: Redis, a
 * Python bundle with a pre hook and an auth_check, a rate limit, a loopback upstream that records
 * what it received, and a local OTLP/HTTP collector.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class ObservabilityIT {
    private static final String HEX32 = "[0-9a-f]{32}";

    private Path tmp;
    private RedisServer redis;
    private OtlpReceiver collector;
    private LoopbackUpstream upstream;
    /** The headers of each request the upstream received, by the X-Request-Id it saw. */
    private final Map<String, HttpFields> upstreamSaw = new ConcurrentHashMap<>();
    private final List<String> upstreamPaths = new java.util.concurrent.CopyOnWriteArrayList<>();
    private GatewayFixture gw;

    @BeforeAll
    void start() throws Exception {
        System.setProperty("polygate.plugin.pool_size", "1");
        tmp = Files.createTempDirectory("polygate-obs");
        PluginTesting.bundlesDir(tmp.resolve("bundles"), Map.of("observed", "py-observed"));
        redis = RedisServer.start();
        collector = OtlpReceiver.start();
        upstream = LoopbackUpstream.start(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                upstreamSaw.put(String.valueOf(request.getHeaders().get("X-Request-Id")), request.getHeaders().asImmutable());
                upstreamPaths.add(request.getHttpURI().getPath());
                // the gateway's id is the one the client gets, not the upstream's
                response.getHeaders().put("X-Request-Id", "set-by-upstream");
                response.write(true, ByteBuffer.wrap("ok".getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        gw = GatewayFixture.start("""
                bundles_dir: bundles
                bundles: {poll_interval: 200ms}
                storage: {type: redis, redis_uri: "%s"}
                access_log: {enabled: true, path: access.log}
                tracing: {otlp_endpoint: "%s"}
                trusted_proxies: ["127.0.0.1"]
                apis:
                  - {api_id: observed, listen_path: /observed, strip_listen_path: true, target_url: "http://127.0.0.1:%d/",
                     auth: plugin, custom_middleware_bundle: observed, global_rate_limit: [{rate: 1000, per: 1}]}
                  - {api_id: late, listen_path: /late, strip_listen_path: true, target_url: "http://127.0.0.1:%3$d/",
                     auth: plugin, custom_middleware_bundle: late}
                  - {api_id: root, listen_path: /, target_url: "http://127.0.0.1:%3$d/", auth: none}
                """.formatted(redis.uri(), collector.endpoint(), upstream.port()), tmp);
        assertThat(PluginTesting.awaitBundles(gw.gateway(), Duration.ofMinutes(3), "observed").getFirst().state()).isEqualTo("ready");
    }

    @AfterAll
    void stop() throws Exception {
        System.clearProperty("polygate.plugin.pool_size");
        if (gw != null) gw.close();
        if (upstream != null) upstream.close();
        if (collector != null) collector.close();
        if (redis != null) redis.close();
    }

    @Test
    void spansOfAPluginRequestFormOneTreeUnderTheRequestSpanAndTheUpstreamContinuesTheTrace() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String clientSpan = "00f067aa0ba902b7";
        HttpResponse<String> r = gw.get("/observed/traced", "Authorization", "letmein",
                "traceparent", "00-" + traceId + "-" + clientSpan + "-01", "tracestate", "vendor=client");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

        List<ReceivedSpan> spans = collector.await(traceId, Duration.ofSeconds(60),
                t -> t.stream().anyMatch(s -> s.kind() == SpanKind.SPAN_KIND_SERVER));
        ReceivedSpan request = spans.stream().filter(s -> s.kind() == SpanKind.SPAN_KIND_SERVER).findFirst().orElseThrow();
        assertThat(request.name()).isEqualTo("GET /observed");
        assertThat(request.parentSpanId()).isEqualTo(clientSpan);
        assertThat(spans).filteredOn(s -> s != request)
                .extracting(ReceivedSpan::name)
                .containsExactlyInAnyOrder("plugin:observed:MarkPre", "plugin-auth:observed:TokenAuth", "limits", "upstream");
        assertThat(spans).filteredOn(s -> s != request).allSatisfy(s -> assertThat(s.parentSpanId()).as(s.name()).isEqualTo(request.spanId()));

        ReceivedSpan upstreamSpan = spans.stream().filter(s -> s.name().equals("upstream")).findFirst().orElseThrow();
        assertThat(upstreamSpan.kind()).isEqualTo(SpanKind.SPAN_KIND_CLIENT);
        HttpFields saw = upstreamSaw.get(r.headers().firstValue("X-Request-Id").orElseThrow());
        assertThat(saw.get("traceparent")).isEqualTo("00-" + traceId + "-" + upstreamSpan.spanId() + "-01");
        assertThat(saw.get("tracestate")).isEqualTo("vendor=client");
    }

    @Test
    void aGeneratedRequestIdReachesTheUpstreamTheClientAndTheAccessLog() throws Exception {
        HttpResponse<String> r = gw.get("/observed/logged?secret=s3cr3t&page=2", "Authorization", "letmein");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().allValues("X-Request-Id")).singleElement().asString().matches(HEX32);
        String id = r.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(upstreamSaw).containsKey(id);

        JsonNode line = accessLogLine(id);
        assertThat(line.path("api").asText()).isEqualTo("observed");
        assertThat(line.path("method").asText()).isEqualTo("GET");
        assertThat(line.path("path").asText()).isEqualTo("/observed/logged?secret=&page=");
        assertThat(line.path("status").asInt()).isEqualTo(200);
        assertThat(line.path("bytes_in").asLong()).isZero();
        assertThat(line.path("bytes_out").asLong()).isEqualTo(2);
        assertThat(line.path("upstream_ms").asDouble()).isPositive().isLessThanOrEqualTo(line.path("duration_ms").asDouble());
        assertThat(line.path("client_ip").asText()).isEqualTo("127.0.0.1");
        // the auth plugin's token, hashed as key storage hashes keys; never the token, the credential or the query values
        assertThat(line.path("key_hash").asText()).isEqualTo(KeyHash.of("tok-ada"));
        assertThat(line.toString()).doesNotContain("tok-ada").doesNotContain("letmein").doesNotContain("s3cr3t");
        assertThat(line.path("time").asText()).endsWith("Z");
    }

    @Test
    void theClientsRequestIdIsKeptEvenWhenThePluginRefusesTheRequest() throws Exception {
        HttpResponse<String> ok = gw.get("/observed/mine", "Authorization", "letmein", "X-Request-Id", "client-chose-this");
        assertThat(ok.headers().allValues("X-Request-Id")).containsExactly("client-chose-this");
        assertThat(upstreamSaw).containsKey("client-chose-this");
        assertThat(accessLogLine("client-chose-this").path("status").asInt()).isEqualTo(200);

        HttpResponse<String> refused = gw.get("/observed/mine", "Authorization", "wrong", "X-Request-Id", "client-refused");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().allValues("X-Request-Id")).containsExactly("client-refused");
        JsonNode line = accessLogLine("client-refused");
        assertThat(line.path("status").asInt()).isEqualTo(403);
        assertThat(line.path("upstream_ms").isNull()).isTrue();
        assertThat(line.path("key_hash").isNull()).isTrue();
    }

    @Test
    void theLoggedAndTracedClientIpIsTheOneATrustedProxyForwardsFor() throws Exception {
        String traceId = "5af92f3577b34da6a3ce929d0e0e4737";
        HttpResponse<String> r = gw.get("/observed/proxied", "Authorization", "letmein", "X-Request-Id", "via-proxy",
                "X-Forwarded-For", "203.0.113.9", "traceparent", "00-" + traceId + "-00f067aa0ba902b8-01");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(accessLogLine("via-proxy").path("client_ip").asText()).isEqualTo("203.0.113.9");

        ReceivedSpan request = collector.await(traceId, Duration.ofSeconds(60), t -> t.stream().anyMatch(s -> s.kind() == SpanKind.SPAN_KIND_SERVER))
                .stream().filter(s -> s.kind() == SpanKind.SPAN_KIND_SERVER).findFirst().orElseThrow();
        Map<String, String> attributes = new HashMap<>();
        request.proto().getAttributesList().forEach(a -> attributes.put(a.getKey(), a.getValue().getStringValue()));
        assertThat(attributes).containsEntry("client.address", "203.0.113.9").containsEntry("network.peer.address", "127.0.0.1");
    }

    @Test
    void anUnusableRequestIdIsReplaced() throws Exception {
        HttpResponse<String> r = gw.get("/observed/long", "Authorization", "letmein", "X-Request-Id", "x".repeat(200));
        assertThat(r.headers().allValues("X-Request-Id")).singleElement().asString().matches(HEX32);
    }

    @Test
    void helloAnswersWithoutTheSecretAheadOfTheApiOnSlash() throws Exception {
        HttpResponse<String> hello = gw.get("/hello");
        assertThat(hello.statusCode()).as(hello.body()).isEqualTo(200);
        JsonNode body = GatewayFixture.json(hello);
        assertThat(body.path("status").asText()).isEqualTo("pass");
        assertThat(body.path("description").asText()).isEqualTo("Polygate");
        assertThat(body.path("version").asText()).isNotBlank();
        assertThat(body.path("details").path("redis").path("status").asText()).isEqualTo("pass");
        assertThat(body.path("details").path("redis").path("componentType").asText()).isEqualTo("datastore");
        assertThat(upstreamPaths).doesNotContain("/hello");

        // only the exact path is the gateway's: the API on / gets the rest
        HttpResponse<String> below = gw.get("/hello/world");
        assertThat(below.statusCode()).isEqualTo(200);
        assertThat(below.body()).isEqualTo("ok");
        assertThat(upstreamPaths).contains("/hello/world");

        HttpResponse<String> post = gw.http().send(HttpRequest.newBuilder(gw.url("/hello")).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        assertThat(GatewayFixture.json(post).path("error").asText()).isEqualTo("/hello answers GET and HEAD, not POST");
    }

    @Test
    void readyIs503UntilEveryBundleApisNameIsLoadedThen200() throws Exception {
        HttpResponse<String> first = gw.get("/ready");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(503);
        JsonNode waiting = GatewayFixture.json(first);
        assertThat(waiting.path("status").asText()).isEqualTo("fail");
        assertThat(waiting.path("details").path("redis").path("status").asText()).isEqualTo("pass");
        assertThat(waiting.path("details").path("bundles").path("not_ready").path("late").asText()).isEqualTo("missing");
        assertThat(waiting.path("details").path("bundles").path("not_ready").has("observed")).isFalse();

        // the bundle arrives in bundles_dir: it loads (a Python context), and /ready turns 200 once it is in service
        PluginTesting.copyTree(PluginTesting.repoRoot().resolve("host/src/test/resources/bundles/py-observed"), tmp.resolve("bundles/late"));
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        HttpResponse<String> r;
        while ((r = gw.get("/ready")).statusCode() != 200) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(GatewayFixture.json(r).path("details").path("bundles").path("not_ready").path("late").asText()).isIn("missing", "loading");
            assertThat(System.nanoTime()).as("still not ready: " + r.body()).isLessThan(deadline);
            Thread.sleep(100);
        }
        JsonNode ready = GatewayFixture.json(r);
        assertThat(ready.path("status").asText()).isEqualTo("pass");
        assertThat(ready.path("details").path("bundles").path("status").asText()).isEqualTo("pass");
        assertThat(gw.get("/late/x", "Authorization", "letmein").statusCode()).isEqualTo(200);
    }

    @Test
    void withTheStoreDownHelloStillAnswers200AndReadyAnswers503() throws Exception {
        RedisServer lost = RedisServer.start();
        try (GatewayFixture g = GatewayFixture.start("""
                storage: {type: redis, redis_uri: "%s", timeout: 500ms}
                apis:
                  - {api_id: open, listen_path: /open, target_url: "echo://", auth: none}
                """.formatted(lost.uri()))) {
            assertThat(g.get("/ready").statusCode()).isEqualTo(200);
            lost.close();

            HttpResponse<String> hello = g.get("/hello");
            assertThat(hello.statusCode()).as(hello.body()).isEqualTo(200);
            JsonNode body = GatewayFixture.json(hello);
            assertThat(body.path("status").asText()).isEqualTo("warn");
            assertThat(body.path("details").path("redis").path("status").asText()).isEqualTo("fail");
            assertThat(body.path("details").path("redis").path("output").asText()).startsWith("the store does not answer: redis");

            HttpResponse<String> ready = g.get("/ready");
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
            assertThat(GatewayFixture.json(ready).path("details").path("redis").path("status").asText()).isEqualTo("fail");
        } finally {
            lost.close();
        }
    }

    @Test
    void withTracingOffTheClientsTraceContextReachesTheUpstreamUnchanged() throws Exception {
        try (GatewayFixture plain = GatewayFixture.start("""
                apis:
                  - {api_id: plain, listen_path: /plain, target_url: "http://127.0.0.1:%d/", auth: none}
                """.formatted(upstream.port()))) {
            String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
            HttpResponse<String> r = plain.get("/plain/x", "traceparent", traceparent, "tracestate", "a=1");
            assertThat(r.statusCode()).isEqualTo(200);
            HttpFields saw = upstreamSaw.get(r.headers().firstValue("X-Request-Id").orElseThrow());
            assertThat(saw.get("traceparent")).isEqualTo(traceparent);
            assertThat(saw.get("tracestate")).isEqualTo("a=1");
        }
        // and the gateway with tracing on exported nothing of it
        assertThat(collector.await("0af7651916cd43dd8448eb211c80319c", Duration.ZERO, t -> true)).isEmpty();
    }

    /** The access log line of {@code requestId}, waited for: lines are written by a thread of their own. */
    private JsonNode accessLogLine(String requestId) throws Exception {
        Path log = tmp.resolve("access.log");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log)) {
                    JsonNode n = GatewayFixture.JSON.readTree(line);
                    if (requestId.equals(n.path("request_id").asText())) return n;
                }
            }
            if (System.nanoTime() > deadline) throw new AssertionError("no access log line with request_id " + requestId + " in " + log);
            Thread.sleep(50);
        }
    }
}
