package io.polygate.plugin;

import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.polygate.bundle.BundleStatus;
import io.polygate.testing.GatewayFixture;
import io.polygate.testing.PluginTesting;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Tyk's JSVM host API (TykMakeHttpRequest, TykBatchRequest, TykGetKeyData, TykSetKeyData,
 * b64/rawb64, TykJsResponse) through a real gateway running a Tyk JSVM-style bundle in GraalJS,
 * with a real second upstream as the outbound target, and the outbound guards (allow-list,
 * admin port, timeout, size cap, metrics).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JsvmHostApiIT {
    GatewayFixture gw;
    HttpServer target;
    ListAppender<ILoggingEvent> log;
    ListAppender<ILoggingEvent> pluginLog;

    @BeforeAll
    void start() throws Exception {
        target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        target.setExecutor(Executors.newFixedThreadPool(4));
        target.createContext("/", JsvmHostApiIT::echo);
        target.createContext("/slow", ex -> {
            sleep(1500);
            reply(ex, 200, "late");
        });
        target.createContext("/big", ex -> reply(ex, 200, "x".repeat(100_000)));
        target.createContext("/moved", ex -> {
            ex.getResponseHeaders().add("Location", "http://not-allowed.invalid/");
            reply(ex, 302, "");
        });
        target.start();
        int port = target.getAddress().getPort();
        Path tmp = Files.createTempDirectory("polygate-jsvm-api");
        PluginTesting.bundlesDir(tmp.resolve("bundles"), Map.of("host-api", "js-host-api", "jsvm-response", "js-jsvm-response"));
        log = PluginTesting.captureLog("io.polygate.plugin");
        pluginLog = PluginTesting.captureLog("plugin.host-api");
        gw = GatewayFixture.start("""
                bundles_dir: bundles
                plugins:
                  hook_timeout: 2s
                  outbound_http:
                    timeout: 500ms
                    max_response_bytes: 65536
                    allow:
                      host-api: ["127.0.0.1:%d", "localhost"]
                apis:
                  - {api_id: host-api, listen_path: /host-api, strip_listen_path: true, target_url: "echo://", auth: none,
                     custom_middleware_bundle: host-api, config_data: {target: "http://127.0.0.1:%d"}}
                  - {api_id: jsvm-response, listen_path: /jsvm-response, strip_listen_path: true, target_url: "echo://", auth: none,
                     custom_middleware_bundle: jsvm-response}
                """.formatted(port, port), tmp);
        List<BundleStatus> st = PluginTesting.awaitBundles(gw.gateway(), Duration.ofMinutes(1), "host-api", "jsvm-response");
        assertThat(st.get(0).state()).as(st.get(0).toString()).isEqualTo("ready");
    }

    @AfterAll
    void stop() {
        if (gw != null) gw.close();
        if (target != null) target.stop(0);
    }

    /** Answers with the request it got: method, path, query, body, content type, the plugin's header. */
    static void echo(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> seen = new java.util.LinkedHashMap<>();
        seen.put("method", ex.getRequestMethod());
        seen.put("path", ex.getRequestURI().getPath());
        seen.put("query", String.valueOf(ex.getRequestURI().getRawQuery()));
        seen.put("body", body);
        seen.put("content_type", String.valueOf(ex.getRequestHeaders().getFirst("Content-Type")));
        seen.put("x_from_plugin", String.valueOf(ex.getRequestHeaders().getFirst("X-From-Plugin")));
        seen.put("x_n", String.valueOf(ex.getRequestHeaders().getFirst("X-N")));
        ex.getResponseHeaders().add("X-Target", "seen");
        ex.getResponseHeaders().add("x-multi", "a");
        ex.getResponseHeaders().add("x-multi", "b");
        ex.getResponseHeaders().add("Content-Type", "application/json");
        reply(ex, 201, GatewayFixture.JSON.writeValueAsString(seen));
    }

    static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) ex.getResponseBody().write(b);
        ex.close();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The hook's answer: what the JSVM call returned ("undefined" when it returned nothing). */
    JsonNode call(String... headers) throws Exception {
        HttpResponse<String> r = gw.get("/host-api/x", headers);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r).path("result");
    }

    long metric(String outcome) throws Exception {
        String text = gw.admin("GET", "/metrics", null).body();
        String series = "polygate_plugin_http_requests_total{bundle=\"host-api\",outcome=\"" + outcome + "\"} ";
        return text.lines().filter(l -> l.startsWith(series)).mapToLong(l -> (long) Double.parseDouble(l.substring(series.length()).trim())).sum();
    }

    @Test
    void tykMakeHttpRequestReturnsCodeBodyAndHeadersAsTykDoes() throws Exception {
        long before = metric("ok");
        JsonNode r = call("X-Do", "http", "X-Method", "post", "X-Resource", "/orders?id=7", "X-Body", "{\"n\":1}");
        assertThat(r.path("Code").asInt()).isEqualTo(201);
        assertThat(r.path("code").asInt()).isEqualTo(201);
        assertThat(r.path("Headers").path("X-Target").get(0).asText()).isEqualTo("seen");
        assertThat(r.path("Headers").path("X-Multi")).hasSize(2);
        assertThat(r.path("headers")).isEqualTo(r.path("Headers"));
        JsonNode seen = GatewayFixture.JSON.readTree(r.path("Body").asText());
        assertThat(r.path("body").asText()).isEqualTo(r.path("Body").asText());
        assertThat(seen.path("method").asText()).isEqualTo("POST");
        assertThat(seen.path("path").asText()).isEqualTo("/orders");
        assertThat(seen.path("query").asText()).isEqualTo("id=7");
        assertThat(seen.path("body").asText()).isEqualTo("{\"n\":1}");
        assertThat(seen.path("x_from_plugin").asText()).isEqualTo("yes");
        assertThat(metric("ok")).isGreaterThan(before);
    }

    @Test
    void tykMakeHttpRequestSendsFormDataUrlEncodedWhenThereIsNoBody() throws Exception {
        JsonNode r = call("X-Do", "http", "X-Method", "POST", "X-Resource", "/form", "X-Form", "1&2");
        JsonNode seen = GatewayFixture.JSON.readTree(r.path("Body").asText());
        // Go's url.Values.Encode: sorted keys, no Content-Type added (Tyk sets none)
        assertThat(seen.path("body").asText()).isEqualTo("a=1%262&b=two+words");
        assertThat(seen.path("content_type").asText()).isEqualTo("null");
    }

    @Test
    void tykMakeHttpRequestReturnsUndefinedForAnArgumentThatIsNotJson() throws Exception {
        assertThat(call("X-Do", "http-not-json").asText()).isEqualTo("undefined");
        assertThat(PluginTesting.logged(log, "TykMakeHttpRequest: the argument is not a JSON request object")).isTrue();
    }

    @Test
    void tykMakeHttpRequestToAHostNotAllowListedReturnsUndefinedAndLogs() throws Exception {
        long before = metric("refused");
        assertThat(call("X-Do", "http", "X-Domain", "http://example.invalid", "X-Resource", "/x").asText()).isEqualTo("undefined");
        assertThat(PluginTesting.logged(log, "TykMakeHttpRequest http://example.invalid/x: refused: host example.invalid:80 is not allowed for bundle \"host-api\" (plugins.outbound_http.allow)")).isTrue();
        // same host, a port the entry does not name
        assertThat(call("X-Do", "http", "X-Domain", "http://127.0.0.1:1", "X-Resource", "/x").asText()).isEqualTo("undefined");
        assertThat(metric("refused")).isEqualTo(before + 2);
    }

    @Test
    void tykMakeHttpRequestNeverReachesTheAdminPortEvenWhenAllowListed() throws Exception {
        // "localhost" (any port) is in the allow-list: the admin port on it is still refused
        String admin = "http://localhost:" + gw.gateway().adminPort();
        assertThat(call("X-Do", "http", "X-Domain", admin, "X-Resource", "/keys").asText()).isEqualTo("undefined");
        assertThat(PluginTesting.logged(log, "refused: localhost:" + gw.gateway().adminPort() + " is the gateway's admin port")).isTrue();
        // the gateway port on the same name is fine (a plugin may call the gateway's own APIs)
        JsonNode own = call("X-Do", "http", "X-Domain", "http://localhost:" + gw.gateway().port(), "X-Resource", "/host-api/y");
        assertThat(own.path("Code").asInt()).isEqualTo(200);
    }

    @Test
    void tykMakeHttpRequestPastTheOutboundTimeoutReturnsUndefinedWithinTheHookLimit() throws Exception {
        call("X-Do", "http", "X-Resource", "/warm-up"); // the first call starts the client
        long before = metric("timeout");
        // the upstream answers after 1.5 s: the hook (2 s limit) gets undefined back and answers, not the watchdog
        assertThat(call("X-Do", "http", "X-Resource", "/slow").asText()).isEqualTo("undefined");
        assertThat(PluginTesting.logged(log, "TykMakeHttpRequest http://127.0.0.1:" + target.getAddress().getPort() + "/slow: timed out after 500 ms")).isTrue();
        assertThat(metric("timeout")).isEqualTo(before + 1);
    }

    @Test
    void tykMakeHttpRequestOverTheResponseSizeCapReturnsUndefined() throws Exception {
        long before = metric("too_large");
        assertThat(call("X-Do", "http", "X-Resource", "/big").asText()).isEqualTo("undefined");
        assertThat(PluginTesting.logged(log, "the response is larger than 65536 bytes (plugins.outbound_http.max_response_bytes)")).isTrue();
        assertThat(metric("too_large")).isEqualTo(before + 1);
    }

    @Test
    void tykMakeHttpRequestDoesNotFollowRedirects() throws Exception {
        JsonNode r = call("X-Do", "http", "X-Resource", "/moved");
        assertThat(r.path("Code").asInt()).isEqualTo(302);
        assertThat(r.path("Headers").path("Location").get(0).asText()).isEqualTo("http://not-allowed.invalid/");
    }

    @Test
    void tykBatchRequestRepliesPerRequestWithTykEmptyUnitForARefusedOne() throws Exception {
        for (String sequential : List.of("0", "1")) {
            JsonNode r = call("X-Do", "batch", "X-Sequential", sequential);
            assertThat(r).hasSize(3);
            String base = "http://127.0.0.1:" + target.getAddress().getPort();
            assertThat(r.get(0).path("relative_url").asText()).isEqualTo(base + "/first");
            assertThat(r.get(0).path("code").asInt()).isEqualTo(201);
            assertThat(r.get(0).path("headers").path("X-Target").get(0).asText()).isEqualTo("seen");
            assertThat(GatewayFixture.JSON.readTree(r.get(0).path("body").asText()).path("x_n").asText()).isEqualTo("1");
            JsonNode second = GatewayFixture.JSON.readTree(r.get(1).path("body").asText());
            assertThat(second.path("method").asText()).isEqualTo("POST");
            assertThat(second.path("body").asText()).isEqualTo("batch body");
            // Go's zero BatchReplyUnit
            assertThat(r.get(2).path("code").asInt()).isZero();
            assertThat(r.get(2).path("relative_url").asText()).isEmpty();
            assertThat(r.get(2).path("body").asText()).isEmpty();
            assertThat(r.get(2).path("headers").isNull()).isTrue();
        }
    }

    @Test
    void tykGetKeyDataReturnsTheSessionOrTykKeyNotFound() throws Exception {
        assertThat(gw.admin("POST", "/keys/jsvm-key-1", "{\"rate\": 5, \"per\": 10, \"meta_data\": {\"team\": \"blue\"}}").statusCode()).isEqualTo(201);
        JsonNode s = call("X-Do", "get-key", "X-Key", "jsvm-key-1");
        assertThat(s.path("rate").asDouble()).isEqualTo(5);
        assertThat(s.path("meta_data").path("team").asText()).isEqualTo("blue");
        JsonNode missing = call("X-Do", "get-key", "X-Key", "no-such-key");
        assertThat(missing.path("status").asText()).isEqualTo("error");
        assertThat(missing.path("message").asText()).isEqualTo("Key not found");
    }

    @Test
    void tykSetKeyDataCreatesOrReplacesTheKeySession() throws Exception {
        JsonNode s = call("X-Do", "set-key", "X-Key", "jsvm-key-2", "X-Session", "{\"rate\": 7, \"per\": 60, \"meta_data\": {\"set_by\": \"plugin\"}}");
        assertThat(s.path("rate").asDouble()).isEqualTo(7);
        HttpResponse<String> viaAdmin = gw.admin("GET", "/keys/jsvm-key-2", null);
        assertThat(viaAdmin.statusCode()).isEqualTo(200);
        assertThat(json(viaAdmin).path("meta_data").path("set_by").asText()).isEqualTo("plugin");
        // an invalid session is logged and not stored
        JsonNode after = call("X-Do", "set-key", "X-Key", "jsvm-key-2", "X-Session", "{\"rate\": -1}");
        assertThat(after.path("rate").asDouble()).isEqualTo(7);
        assertThat(PluginTesting.logged(pluginLog, "TykSetKeyData ****ey-2: invalid session: rate: -1.0 is out of range (>= 0)")).isTrue();
    }

    @Test
    void rawb64AndB64HelpersEncodeAndDecodeAsGoStdAndRawEncodings() throws Exception {
        JsonNode r = call("X-Do", "base64");
        assertThat(r.path("b64enc").asText()).isEqualTo("aGk=");
        assertThat(r.path("rawb64enc").asText()).isEqualTo("aGk");
        assertThat(r.path("b64dec_padded").asText()).isEqualTo("hi");
        assertThat(r.path("b64dec_unpadded").asText()).isEqualTo("hi");
        assertThat(r.path("b64dec_bad").asText()).isEqualTo("undefined");
        assertThat(r.path("rawb64dec").asText()).isEqualTo("hi");
        assertThat(r.path("rawb64dec_padded").asText()).isEqualTo("undefined");
    }

    @Test
    void tykJsResponseReturnedFromAHookAnswersTheClientAsAVirtualEndpointDoes() throws Exception {
        HttpResponse<String> r = gw.get("/host-api/x", "X-Do", "js-response");
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.body()).isEqualTo("answered by TykJsResponse");
        assertThat(r.headers().firstValue("X-Js-Response")).contains("yes");
    }

    @Test
    void aJsvmMiddlewareObjectAsResponseHookIsRefusedAsTykHasNoJsvmResponseMiddleware() throws Exception {
        BundleStatus st = gw.gateway().bundles().status("jsvm-response");
        assertThat(st.state()).isEqualTo("failed");
        assertThat(st.error()).isEqualTo("bundle \"jsvm-response\": Error: hook \"responseMw\" (response) is a TykJS middleware object: "
                + "Tyk has no JSVM response middleware; a response hook is a function (request, response, session, metadata, spec)");
        assertThat(gw.get("/jsvm-response/x").statusCode()).isEqualTo(503);
    }
}
