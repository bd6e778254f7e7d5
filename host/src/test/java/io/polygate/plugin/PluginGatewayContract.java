package io.polygate.plugin;

import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.bundle.BundleStatus;
import io.polygate.proxy.EchoServer;
import io.polygate.testing.GatewayFixture;
import io.polygate.testing.PluginTesting;
import io.polygate.testing.RawClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The plugin behaviour every language must show, through a real gateway (real Jetty, real GraalVM
 * contexts, the real sample bundles): one gateway per language subclass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PluginGatewayContract {
    GatewayFixture gw;
    /** A second gateway for the forum scenario with a stored limit: a key's rate limit is global to the key, so "foo" needs a fresh node. */
    GatewayFixture gw15;
    EchoServer upstream;
    ListAppender<ILoggingEvent> failures;
    Path tmp;

    /** "py" or "js": the prefix of the bundles under test. */
    abstract String lang();

    /** The samples folder: samples/python or samples/js. */
    abstract String samples();

    @BeforeAll
    void startGateway() throws Exception {
        System.setProperty("polygate.plugin.pool_size", "1");
        tmp = Files.createTempDirectory("polygate-" + lang());
        Map<String, String> bundles = new LinkedHashMap<>();
        bundles.put("per-user-rate", samples() + "/per-user-rate");
        bundles.put("header-auth", samples() + "/header-auth");
        bundles.put("rewrite", samples() + "/rewrite");
        bundles.put("tyk-style", lang() + "-tyk-style");
        bundles.put("guard", lang() + "-guard");
        bundles.put("sessions", lang() + "-sessions");
        bundles.putAll(extraBundles());
        PluginTesting.bundlesDir(tmp.resolve("bundles"), bundles);
        upstream = new EchoServer("127.0.0.1", 0).start();
        failures = PluginTesting.captureLog("io.polygate.plugin");
        gw = GatewayFixture.start("""
                bundles_dir: bundles
                apis:
                  - {api_id: forum-a, listen_path: /forum-a, strip_listen_path: true, target_url: "echo://", auth: plugin, custom_middleware_bundle: per-user-rate}
                  - {api_id: forum-b, listen_path: /forum-b, strip_listen_path: true, target_url: "echo://", auth: plugin, custom_middleware_bundle: per-user-rate.zip}
                  - {api_id: tyk-style, listen_path: /tyk-style, strip_listen_path: true, target_url: "echo://", auth: plugin, custom_middleware_bundle: tyk-style, org_id: org-7, config_data: {greeting: hello}}
                  - {api_id: tyk-style-no-config, listen_path: /tyk-style-no-config, strip_listen_path: true, target_url: "echo://", auth: plugin, custom_middleware_bundle: tyk-style, config_data: {greeting: hello}, config_data_disabled: true}
                  - {api_id: tyk-style-bundle-off, listen_path: /tyk-style-bundle-off, strip_listen_path: true, target_url: "echo://", use_keyless: true, custom_middleware_bundle: tyk-style, custom_middleware_bundle_disabled: true}
                  - {api_id: header-auth, listen_path: /header-auth, strip_listen_path: true, target_url: "echo://", auth: plugin, custom_middleware_bundle: header-auth}
                  - {api_id: rewrite, listen_path: /rewrite, strip_listen_path: true, target_url: "http://127.0.0.1:%1$d/base", auth: none, custom_middleware_bundle: rewrite}
                  - {api_id: guard, listen_path: /guard, strip_listen_path: true, target_url: "echo://", auth: none, custom_middleware_bundle: guard}
                  - {api_id: plain, listen_path: /plain, strip_listen_path: true, target_url: "echo://", auth: none}
                  - {api_id: body, listen_path: /body, strip_listen_path: true, target_url: "http://127.0.0.1:%1$d/", auth: none, custom_middleware_bundle: sessions}
                  - {api_id: sess-auth, listen_path: /sess-auth, strip_listen_path: true, target_url: "http://127.0.0.1:%1$d/", auth: plugin, custom_middleware_bundle: sessions}
                  - {api_id: sess-meta-limit, listen_path: /sess-meta-limit, strip_listen_path: true, target_url: "echo://", auth: plugin, custom_middleware_bundle: sessions,
                     extended_paths: {rate_limit: [{path: /x, rate: 1, per: 60, key: $tyk_meta.username}]}}
                  - {api_id: sess-other, listen_path: /sess-other, strip_listen_path: true, target_url: "echo://", auth: plugin, custom_middleware_bundle: sessions}
                  - {api_id: sess-key, listen_path: /sess-key, strip_listen_path: true, target_url: "http://127.0.0.1:%1$d/", auth: key, custom_middleware_bundle: sessions}
                """.formatted(upstream.port()) + extraApis(), tmp);
        List<BundleStatus> st = PluginTesting.awaitBundles(gw.gateway(), Duration.ofMinutes(3),
                "per-user-rate", "header-auth", "rewrite", "tyk-style", "guard", "sessions");
        assertThat(st).allSatisfy(s -> assertThat(s.state()).as(s.toString()).isEqualTo("ready"));
        gw15 = GatewayFixture.start("""
                bundles_dir: bundles
                apis:
                  - {api_id: forum, listen_path: /forum, strip_listen_path: true, target_url: "echo://", auth: plugin, custom_middleware_bundle: per-user-rate}
                """, tmp);
        assertThat(PluginTesting.awaitBundles(gw15.gateway(), Duration.ofMinutes(3), "per-user-rate").get(0).state()).isEqualTo("ready");
    }

    @AfterAll
    void stop() throws Exception {
        System.clearProperty("polygate.plugin.pool_size");
        if (gw != null) gw.close();
        if (gw15 != null) gw15.close();
        if (upstream != null) upstream.close();
    }

    HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.url(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return gw.http().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static List<Integer> statuses(List<HttpResponse<String>> rs) {
        return rs.stream().map(HttpResponse::statusCode).toList();
    }

    // ---- must show 1: the forum scenario ------------------------------------------------------------

    @Test
    void forumPluginLimitsKeyFooToTenPerMinute() throws Exception {
        List<HttpResponse<String>> a = new ArrayList<>();
        for (int i = 0; i < 11; i++) a.add(gw.get("/forum-a/anything", "Key", "foo"));
        assertThat(statuses(a)).containsExactly(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 429);
        HttpResponse<String> limited = a.get(10);
        assertThat(limited.headers().firstValue("X-RateLimit-Limit")).contains("10");
        assertThat(limited.headers().firstValue("X-RateLimit-Remaining")).contains("0");
        assertThat(limited.headers().firstValue("X-RateLimit-Reset")).isPresent();
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        assertThat(json(limited).path("error").asText()).isEqualTo("Rate limit exceeded");

    }

    @Test
    void forumPluginLimitsKeyFooToTheStoredFifteen() throws Exception {
        // the store holds rate:foo = 15 before the first request (a node that has not seen foo yet)
        gw15.gateway().store().set("coprocess-data:rate:foo", "15", null);
        List<HttpResponse<String>> b = new ArrayList<>();
        for (int i = 0; i < 16; i++) b.add(gw15.get("/forum/anything", "Key", "foo"));
        assertThat(statuses(b).subList(0, 15)).containsOnly(200);
        assertThat(b.get(15).statusCode()).isEqualTo(429);
        assertThat(b.get(0).headers().firstValue("X-RateLimit-Limit")).contains("15");
    }

    @Test
    void bundleNamedWithZipSuffixIsTheSameBundle() throws Exception {
        HttpResponse<String> r = gw.get("/forum-b/anything", "Key", "zip-suffix");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-RateLimit-Limit")).contains("10");
    }

    @Test
    void forumPluginGivesCallersWithoutKeyTwoRequestsPerTenSecondsPerIp() throws Exception {
        List<HttpResponse<String>> rs = new ArrayList<>();
        for (int i = 0; i < 3; i++) rs.add(gw.get("/forum-a/anon", "X-Real-Ip", "10.9.8." + lang().length()));
        assertThat(statuses(rs)).containsExactly(200, 200, 429);
        assertThat(rs.get(0).headers().firstValue("X-RateLimit-Limit")).contains("2");
    }

    @Test
    void sessionBuiltForAnExtractedIdIsReusedUntilItsDeadlineOrUntilTheDataItReadChanges() throws Exception {
        var cacheLog = PluginTesting.captureLog("io.polygate.Gateway");
        assertThat(gw.get("/forum-a/x", "Key", "bar").headers().firstValue("X-RateLimit-Limit")).contains("10");
        // the session is cached (deadline +60 s): the write finds exactly the one session built on rate:bar
        gw.gateway().store().set("coprocess-data:rate:bar", "3", null);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!PluginTesting.logged(cacheLog, "plugin data coprocess-data:rate:bar changed: 1 cached session(s) dropped")) {
            assertThat(System.nanoTime()).as("the cached session of bar was not dropped").isLessThan(deadline);
            Thread.sleep(10);
        }
        // live limits (issue 5): the next request runs the hook again and gets the new limit
        HttpResponse<String> r = gw.get("/forum-a/x", "Key", "bar");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-RateLimit-Limit")).contains("3");
        assertThat(r.headers().firstValue("X-RateLimit-Remaining")).contains("1"); // the one taken at 10 still counts
        // a key that was never seen runs the hook and gets the stored limit
        gw.gateway().store().set("coprocess-data:rate:baz", "3", null);
        assertThat(gw.get("/forum-a/x", "Key", "baz").headers().firstValue("X-RateLimit-Limit")).contains("3");
    }

    // ---- must show 2: plugins written the Tyk way ---------------------------------------------------

    @Test
    void tykStylePluginChangesRequestThroughEveryPhaseAndResponse() throws Exception {
        HttpResponse<String> r = send("POST", "/tyk-style/things?drop=1&keep=2", "{\"a\": 1}",
                "Authorization", "letmein", "X-Remove-Me", "x", "X-Remove-Too", "y", "Content-Type", "application/json");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode echo = json(r);
        JsonNode h = echo.path("headers");
        assertThat(h.path("X-Pre").asText()).isEqualTo("yes");
        assertThat(h.has("X-Remove-Me")).isFalse();
        assertThat(h.has("X-Remove-Too")).isFalse();
        assertThat(h.path("X-Set-Direct").asText()).isEqualTo("yes");
        assertThat(h.path("X-Keep-Param").asText()).isEqualTo("2");
        assertThat(h.path("X-Org").asText()).isEqualTo("org-7");
        assertThat(h.path("X-Api-Id").asText()).isEqualTo("tyk-style/hello");
        assertThat(h.path("X-User").asText()).isEqualTo("ada");          // post_key_auth read session.metadata set by auth
        assertThat(h.path("Foo").asText()).isEqualTo("Bar");             // 4-argument post hook, request.add_header
        assertThat(h.path("X-Token-Ok").asText()).isEqualTo("true");
        assertThat(echo.path("args").has("drop")).isFalse();
        assertThat(echo.path("args").path("keep").get(0).asText()).isEqualTo("2");
        assertThat(echo.path("args").path("added").get(0).asText()).isEqualTo("1");
        assertThat(parse(echo.path("body").asText()).path("seen_by").asText()).isEqualTo("pre");
        assertThat(parse(echo.path("body").asText()).path("a").asInt()).isEqualTo(1);
        assertThat(r.headers().firstValue("X-Response-Hook")).contains("status-200");
        assertThat(echo.path("response_hook").asBoolean()).isTrue();
        assertThat(languageSpecificHeaders(h)).isTrue();
    }

    @Test
    void specConfigDataReachesHooksAsTheApiDefinitionsConfigData() throws Exception {
        HttpResponse<String> r = gw.get("/tyk-style/v", "Authorization", "letmein");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        // the hook parsed spec.config_data (a JSON string, as Tyk passes it) and read config_data.greeting
        assertThat(json(r).path("headers").path("X-Api-Id").asText()).isEqualTo("tyk-style/hello");
    }

    @Test
    void configDataDisabledHandsHooksAnEmptyConfigData() throws Exception {
        HttpResponse<String> r = gw.get("/tyk-style-no-config/v", "Authorization", "letmein");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).path("headers").path("X-Api-Id").asText()).isEqualTo("tyk-style-no-config/");
    }

    @Test
    void customMiddlewareBundleDisabledRunsNoneOfTheBundlesHooks() throws Exception {
        HttpResponse<String> r = gw.get("/tyk-style-bundle-off/v", "X-Short-Circuit", "1");
        assertThat(r.statusCode()).as("no auth_check, no pre hook's 418: " + r.body()).isEqualTo(200);
        JsonNode h = json(r).path("headers");
        assertThat(h.has("X-Pre")).isFalse();
        assertThat(h.has("X-Api-Id")).isFalse();
        assertThat(r.headers().firstValue("X-Response-Hook")).isEmpty();
    }

    /** Bundles only one language's tests use (name in bundles_dir to test fixture). */
    Map<String, String> extraBundles() { return Map.of(); }

    /** API definitions (YAML list items) only one language's tests use. */
    String extraApis() { return ""; }

    /** Headers only one language's test plugin sets. */
    abstract boolean languageSpecificHeaders(JsonNode headers);

    static JsonNode parse(String s) throws Exception {
        return GatewayFixture.JSON.readTree(s);
    }

    @Test
    void authCheckRunsOnEveryRequestWithoutIdExtractorAndUsesTheStore() throws Exception {
        int first = Integer.parseInt(json(gw.get("/tyk-style/v", "Authorization", "letmein")).path("headers").path("X-Visits").asText());
        int second = Integer.parseInt(json(gw.get("/tyk-style/v", "Authorization", "letmein")).path("headers").path("X-Visits").asText());
        assertThat(second).isEqualTo(first + 1);
        assertThat(gw.gateway().store().get("coprocess-data:visits")).isEqualTo(Integer.toString(second));
    }

    @Test
    void authCheckRefusingWithReturnOverridesGives403() throws Exception {
        HttpResponse<String> r = gw.get("/tyk-style/x", "Authorization", "wrong");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(json(r).path("error").asText()).isEqualTo("Access denied by plugin");
    }

    @Test
    void authCheckThatThrowsGives403WithErrorId() throws Exception {
        HttpResponse<String> r = gw.get("/tyk-style/x", "Authorization", "boom");
        assertThat(r.statusCode()).isEqualTo(403);
        String id = json(r).path("error_id").asText();
        assertThat(id).isNotEmpty();
        assertThat(PluginTesting.logged(failures, id)).isTrue();
    }

    @Test
    void returnOverridesInPreHookEndTheRequestWithCodeBodyAndHeaders() throws Exception {
        HttpResponse<String> r = gw.get("/tyk-style/x", "Authorization", "letmein", "X-Short-Circuit", "1");
        assertThat(r.statusCode()).isEqualTo(418);
        assertThat(json(r).path("teapot").asBoolean()).isTrue();
        assertThat(r.headers().firstValue("X-Teapot")).contains("short");
    }

    @Test
    void headerAuthSampleAcceptsStoredTokensAndPassesTheUserUpstream() throws Exception {
        gw.gateway().store().set("coprocess-data:user:t1", "{\"name\": \"grace\", \"rate\": 5, \"per\": 60}", null);
        HttpResponse<String> ok = gw.get("/header-auth/x", "X-Api-Token", "t1");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(json(ok).path("headers").path("X-User").asText()).isEqualTo("grace");
        assertThat(ok.headers().firstValue("X-RateLimit-Limit")).contains("5");
        HttpResponse<String> bad = gw.get("/header-auth/x", "X-Api-Token", "nope");
        assertThat(bad.statusCode()).isEqualTo(403);
        assertThat(json(bad).path("error").asText()).isEqualTo("unknown or missing X-Api-Token");
        assertThat(gw.get("/header-auth/x").statusCode()).isEqualTo(403);
    }

    @Test
    void rewriteSampleRewritesTheProxiedRequestAndAddsAResponseHeader() throws Exception {
        HttpResponse<String> r = gw.get("/rewrite/items?debug=1&q=a", "X-Internal", "secret");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode echo = json(r);
        assertThat(echo.path("path").asText()).isEqualTo("/base/v2/items");
        assertThat(echo.path("args").path("rewritten").get(0).asText()).isEqualTo("true");
        assertThat(echo.path("args").path("q").get(0).asText()).isEqualTo("a");
        assertThat(echo.path("args").has("debug")).isFalse();
        assertThat(echo.path("headers").path("X-Rewritten-By").asText()).isEqualTo("polygate");
        assertThat(echo.path("headers").has("X-Internal")).isFalse();
        assertThat(r.headers().firstValue("X-Served-By")).contains("polygate-plugin");
        assertThat(r.headers().firstValue("X-Upstream-Status")).contains("200");
    }

    // ---- request bodies, sessions and metadata (issue 10) ---------------------------------------------

    /** A request with a short timeout: a body announced but never sent would make the upstream wait 30 s. */
    HttpResponse<String> sendQuick(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.url(path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return gw.http().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** What the upstream received: its body (as the echo shows it), its Content-Length, whether it came chunked. */
    record Received(String body, String contentLength, boolean chunked) {}

    static Received upstreamSaw(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode echo = json(r);
        JsonNode h = echo.path("headers");
        return new Received(echo.path("body").asText(), h.path("Content-Length").asText(null), h.has("Transfer-Encoding"));
    }

    @Test
    void preHookBodyRewriteOnGetReachesTheUpstreamWithItsContentLength() throws Exception {
        Received u = upstreamSaw(sendQuick("GET", "/body/x", null, "X-Body-Mode", "replace"));
        assertThat(u.body()).isEqualTo("New Request body");
        assertThat(u.contentLength()).isEqualTo("16");
        assertThat(u.chunked()).isFalse();
    }

    @Test
    void preHookBodyRewriteOfAnyMethodReplacesTheClientBody() throws Exception {
        for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
            Received u = upstreamSaw(sendQuick(method, "/body/x", "the client's own, longer body", "X-Body-Mode", "replace"));
            assertThat(u.body()).as(method).isEqualTo("New Request body");
            assertThat(u.contentLength()).as(method).isEqualTo("16");
        }
    }

    /**
     * The client's body arrives after its head, and the hook replaces it unread: the gateway still
     * reads the client's bytes before the exchange ends, so the kept-alive connection serves the
     * next request (Jetty would otherwise close it after an answer that said it stays open).
     */
    @Test
    void aReplacedBodyThatArrivesLateLeavesTheConnectionUsable() throws Exception {
        try (RawClient client = new RawClient(gw.gateway().port())) {
            String body = "the client's own, longer body";
            client.send("POST /body/x HTTP/1.1\r\nHost: gw\r\nX-Body-Mode: replace\r\nContent-Length: " + body.length() + "\r\n\r\n");
            Thread.sleep(300);
            client.send(body);
            String first = client.readResponse(10_000);
            assertThat(first).startsWith("HTTP/1.1 200").contains("New Request body").doesNotContain("longer body");

            client.send("GET /body/x HTTP/1.1\r\nHost: gw\r\n\r\n");
            assertThat(client.readResponse(10_000)).as("the next request on the same connection").startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void preHookBodyRewriteToEmptyLongerAndFromChunkedKeepsContentLengthRight() throws Exception {
        Received empty = upstreamSaw(sendQuick("POST", "/body/x", "to be dropped", "X-Body-Mode", "empty"));
        assertThat(empty.body()).isEmpty();
        assertThat(empty.contentLength()).isEqualTo("0");
        Received longer = upstreamSaw(sendQuick("GET", "/body/x", null, "X-Body-Mode", "long"));
        assertThat(longer.contentLength()).isEqualTo("70000");
        HttpResponse<String> chunked = gw.http().send(HttpRequest.newBuilder(gw.url("/body/x")).timeout(Duration.ofSeconds(10))
                .header("X-Body-Mode", "replace")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream("chunked client body".getBytes())))
                .build(), HttpResponse.BodyHandlers.ofString());
        Received fromChunked = upstreamSaw(chunked);
        assertThat(fromChunked.body()).isEqualTo("New Request body");
        assertThat(fromChunked.contentLength()).isEqualTo("16");
        assertThat(fromChunked.chunked()).isFalse();
    }

    @Test
    void responseHookBodyRewriteSendsTheNewBodyWithItsContentLength() throws Exception {
        HttpResponse<String> shorter = sendQuick("GET", "/body/x", null, "X-Resp-Mode", "short");
        assertThat(shorter.statusCode()).isEqualTo(200);
        assertThat(shorter.body()).isEqualTo("ok");
        assertThat(shorter.headers().firstValue("Content-Length")).contains("2");
        HttpResponse<String> empty = sendQuick("GET", "/body/x", null, "X-Resp-Mode", "empty");
        assertThat(empty.body()).isEmpty();
        assertThat(empty.headers().firstValue("Content-Length")).contains("0");
    }

    @Test
    void authCheckMetadataBecomesTheSessionMetadataOfLaterHooks() throws Exception {
        HttpResponse<String> r = sendQuick("GET", "/sess-auth/x", null, "X-Sess-Token", "meta-1");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode h = json(r).path("headers");
        assertThat(h.path("X-Pka-Username").asText()).isEqualTo("user-meta-1");
        assertThat(h.path("X-Post-Username").asText()).isEqualTo("user-meta-1");
        assertThat(r.headers().firstValue("X-Resp-Username")).contains("user-meta-1");
    }

    @Test
    void authCheckMetadataKeysTykMetaIdentifiers() throws Exception {
        // two tokens whose auth_check gives the same username share a counter keyed by $tyk_meta.username
        String user = "shared-" + lang();
        assertThat(sendQuick("GET", "/sess-meta-limit/x", null, "X-Sess-Token", "tm1-" + lang(), "X-Username", user).statusCode()).isEqualTo(200);
        assertThat(sendQuick("GET", "/sess-meta-limit/x", null, "X-Sess-Token", "tm2-" + lang(), "X-Username", user).statusCode()).isEqualTo(429);
        assertThat(sendQuick("GET", "/sess-meta-limit/x", null, "X-Sess-Token", "tm3-" + lang(), "X-Username", "other-" + lang()).statusCode()).isEqualTo(200);
    }

    @Test
    void authCheckSessionIsKeptUnderItsTokenLikeAKey() throws Exception {
        String token = "kept-" + lang();
        assertThat(sendQuick("GET", "/sess-auth/x", null, "X-Sess-Token", token).statusCode()).isEqualTo(200);
        HttpResponse<String> key = gw.admin("GET", "/tyk/keys/" + token, null);
        assertThat(key.statusCode()).as(key.body()).isEqualTo(200);
        assertThat(json(key).path("meta_data").path("username").asText()).isEqualTo("user-" + token);
        assertThat(json(key).path("meta_data").path("token").asText()).isEqualTo(token);
        assertThat(gw.admin("DELETE", "/tyk/keys/" + token, null).statusCode()).isEqualTo(200);
        assertThat(gw.admin("GET", "/keys/" + token, null).statusCode()).isEqualTo(404);
        // the admin call dropped this node's cached session before it answered: the next request
        // builds the session again and keeps it again
        assertThat(sendQuick("GET", "/sess-auth/x", null, "X-Sess-Token", token).statusCode()).isEqualTo(200);
        int kept = gw.admin("GET", "/keys/" + token, null).statusCode();
        assertThat(kept).as("the rebuilt session is kept under its token").isEqualTo(200);
    }

    @Test
    void authCheckSessionQuotaIsCountedAcrossRequests() throws Exception {
        List<Integer> codes = new ArrayList<>();
        for (int i = 0; i < 3; i++) codes.add(sendQuick("GET", "/sess-auth/x", null, "X-Sess-Token", "quota-" + lang(), "X-Quota", "2").statusCode());
        assertThat(codes).containsExactly(200, 200, 403);
        HttpResponse<String> key = gw.admin("GET", "/keys/quota-" + lang(), null);
        assertThat(json(key).path("quota_max").asLong()).isEqualTo(2);
        assertThat(json(key).path("quota_remaining").asLong()).isZero();
    }

    @Test
    void authCheckApplyPolicyIdAppliesThePolicysRateQuotaAndAccessRights() throws Exception {
        String gold = "gold-" + lang(), otherOnly = "other-only-" + lang();
        assertThat(gw.admin("POST", "/policies", "{\"id\": \"" + gold + "\", \"rate\": 7, \"per\": 60, \"quota_max\": 50, \"quota_renewal_rate\": 3600}")
                .statusCode()).isIn(200, 201);
        assertThat(gw.admin("POST", "/policies", "{\"id\": \"" + otherOnly + "\", \"access_rights\": {\"sess-other\": {\"api_id\": \"sess-other\"}}}")
                .statusCode()).isIn(200, 201);
        HttpResponse<String> withId = sendQuick("GET", "/sess-auth/x", null, "X-Sess-Token", "pol-" + lang(), "X-Policy", gold);
        assertThat(withId.statusCode()).as(withId.body()).isEqualTo(200);
        assertThat(withId.headers().firstValue("X-RateLimit-Limit")).contains("7");
        assertThat(withId.headers().firstValue("X-Quota-Limit")).contains("50");
        HttpResponse<String> withList = sendQuick("GET", "/sess-auth/x", null, "X-Sess-Token", "pols-" + lang(), "X-Policies", gold);
        assertThat(withList.headers().firstValue("X-RateLimit-Limit")).contains("7");
        // a policy that grants only another API: refused here, allowed there
        HttpResponse<String> denied = sendQuick("GET", "/sess-auth/x", null, "X-Sess-Token", "deny-" + lang(), "X-Policy", otherOnly);
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(json(denied).path("error").asText()).isEqualTo("Access to this API has been disallowed");
        assertThat(sendQuick("GET", "/sess-other/x", null, "X-Sess-Token", "deny-" + lang(), "X-Policy", otherOnly).statusCode()).isEqualTo(200);
        assertThat(sendQuick("GET", "/sess-auth/x", null, "X-Sess-Token", "nopol-" + lang(), "X-Policy", "no-such-policy").statusCode()).isEqualTo(403);
    }

    @Test
    void keyMetaDataReachesEveryHookOfAKeyAuthApiAsSessionMetadata() throws Exception {
        String key = "meta-key-" + lang();
        assertThat(gw.admin("POST", "/keys/" + key, "{\"access_rights\": {\"sess-key\": {\"api_id\": \"sess-key\"}},"
                + " \"meta_data\": {\"tier\": \"gold\", \"profile\": \"{\\\"a\\\": 1}\"}}").statusCode()).isIn(200, 201);
        HttpResponse<String> r = sendQuick("GET", "/sess-key/x", null, "Authorization", key);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode h = json(r).path("headers");
        // nested JSON in meta_data stays a string
        assertThat(h.path("X-Pka-Profile").asText()).isEqualTo(profileAsString("{\"a\": 1}"));
        assertThat(h.path("X-Post-Profile").asText()).isEqualTo(profileAsString("{\"a\": 1}"));
        assertThat(r.headers().firstValue("X-Resp-Username")).contains("gold");
    }

    /** How the test plugin shows a metadata value that is a string ({@code repr} in Python, {@code typeof} in JS). */
    abstract String profileAsString(String value);

    // ---- must show 3: runaway hooks ------------------------------------------------------------------

    @Test
    void endlessLoopIsStoppedWithinTheLimitAndTheNextRequestIsServed() throws Exception {
        CompletableFuture<HttpResponse<String>> looping = CompletableFuture.supplyAsync(() -> {
            try {
                return gw.get("/guard/x", "Probe", "loop");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        long t0 = System.nanoTime();
        Thread.sleep(200);
        // other APIs keep serving while the hook spins
        HttpResponse<String> plain = gw.get("/plain/x");
        assertThat(plain.statusCode()).isEqualTo(200);
        HttpResponse<String> r = looping.get();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.statusCode()).isEqualTo(500);
        String id = json(r).path("error_id").asText();
        assertThat(id).isNotEmpty();
        assertThat(json(r).path("error").asText()).isEqualTo("plugin hook timed out");
        assertThat(ms).as("stopped after %d ms", ms).isBetween(800L, 4_000L);
        assertThat(PluginTesting.logged(failures, id)).isTrue();
        // the pool replaced the context: the next request on the API is served normally
        HttpResponse<String> next = gw.get("/guard/x");
        assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
    }

    @Test
    void hookThatThrowsGives500WithErrorIdInBodyAndLog() throws Exception {
        HttpResponse<String> r = gw.get("/guard/x", "Probe", "raise");
        assertThat(r.statusCode()).isEqualTo(500);
        String id = json(r).path("error_id").asText();
        assertThat(id).isNotEmpty();
        assertThat(PluginTesting.logged(failures, id)).isTrue();
        assertThat(PluginTesting.logged(failures, "plugin bug on purpose")).isTrue();
        assertThat(gw.get("/guard/x").statusCode()).isEqualTo(200);
    }

    // ---- must show 4: sandbox ----------------------------------------------------------------------

    String probe(String what) throws Exception {
        HttpResponse<String> r = gw.get("/guard/x", "Probe", what);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }
}
