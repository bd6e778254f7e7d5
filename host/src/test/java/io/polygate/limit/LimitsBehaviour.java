package io.polygate.limit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.proxy.EchoServer;
import io.polygate.testing.GatewayFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Limits as a client sees them, through a real gateway in front of a real echo upstream: headers,
 * 429 and 403 bodies, every scope, policies, identifiers, quota renewal, throttling, smoothing.
 * Runs once per store: {@code MemoryLimitsIT}, {@code RedisStoreLimitsIT}.
 */
abstract class LimitsBehaviour {
    static EchoServer upstream;
    GatewayFixture gw;

    @BeforeAll
    static void startUpstream() throws Exception { upstream = new EchoServer("127.0.0.1", 0).start(); }

    @AfterAll
    static void stopUpstream() throws Exception { upstream.close(); }

    @AfterEach
    void stopGateway() { if (gw != null) gw.close(); }

    /** The {@code storage} section (empty for the in-memory default). */
    protected abstract String storage();

    GatewayFixture start(String extra, String... apis) throws Exception {
        StringBuilder y = new StringBuilder(storage()).append('\n').append(extra).append("\napis:\n");
        for (String api : apis) y.append(api.replace("UPSTREAM", "http://127.0.0.1:" + upstream.port()));
        gw = GatewayFixture.start(y.toString());
        return gw;
    }

    static String keyApi(String id, String more) {
        return "  - api_id: " + id + "\n    listen_path: /" + id + "\n    target_url: UPSTREAM\n    auth: key\n" + more;
    }

    void key(String key, String sessionJson) throws Exception {
        HttpResponse<String> r = gw.admin("POST", "/keys/" + key, sessionJson);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    HttpResponse<String> call(String path, String key) throws Exception {
        return key == null ? gw.get(path) : gw.get(path, "Authorization", key);
    }

    static long header(HttpResponse<String> r, String name) {
        return Long.parseLong(r.headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name + " in " + r.headers().map())));
    }

    @Test
    void keyRateLimitCountsDownThenAnswers429WithRetryAfter() throws Exception {
        start("", keyApi("orders", ""));
        key("k1", "{\"rate\": 3, \"per\": 60, \"access_rights\": {\"orders\": {}}}");
        long now = System.currentTimeMillis() / 1000;
        for (int i = 1; i <= 3; i++) {
            HttpResponse<String> ok = call("/orders/x", "k1");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(header(ok, "X-RateLimit-Limit")).isEqualTo(3);
            assertThat(header(ok, "X-RateLimit-Remaining")).isEqualTo(3 - i);
            assertThat(header(ok, "X-RateLimit-Reset")).isBetween(now, now + 65); // 60 s window, rounded up, plus slack for a slow machine
        }
        HttpResponse<String> denied = call("/orders/x", "k1");
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(denied.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = GatewayFixture.json(denied);
        assertThat(body.get("error").asText()).isEqualTo("Rate limit exceeded");
        assertThat(body.get("status").asInt()).isEqualTo(429);
        // memory: a token per 20 s; Redis: the DRL's share (3) is under drl_threshold, so the sliding log: 60 s
        assertThat(header(denied, "Retry-After")).isBetween(1L, 60L);
        assertThat(header(denied, "X-RateLimit-Remaining")).isZero();
        // another key has its own allowance
        key("k2", "{\"rate\": 3, \"per\": 60, \"access_rights\": {\"orders\": {}}}");
        assertThat(call("/orders/x", "k2").statusCode()).isEqualTo(200);
    }

    @Test
    void apiGlobalLimitIsOneAllowanceForAllCallersAndIetfHeadersAreOptional() throws Exception {
        start("rate_limit: {algorithm: sliding_log, ietf_headers: true}",
                "  - api_id: open\n    listen_path: /open\n    target_url: UPSTREAM\n    auth: none\n    global_rate_limit: {rate: 2, per: 30}\n");
        HttpResponse<String> first = gw.get("/open/a", "X-Forwarded-For", "1.1.1.1");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("RateLimit-Policy")).hasValue("\"api\";q=2;w=30");
        assertThat(first.headers().firstValue("RateLimit")).hasValue("\"api\";r=1;t=30");
        assertThat(gw.get("/open/b").statusCode()).isEqualTo(200);
        HttpResponse<String> denied = gw.get("/open/c");
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(header(denied, "Retry-After")).isBetween(29L, 30L);
    }

    @Test
    void disableRateLimitSkipsKeyLimitsButNotTheQuota() throws Exception {
        start("", keyApi("free", "    disable_rate_limit: true\n"));
        key("k", "{\"rate\": 1, \"per\": 60, \"quota_max\": 3, \"quota_remaining\": 3, \"quota_renewal_rate\": 3600, \"access_rights\": {\"free\": {}}}");
        for (int i = 0; i < 3; i++) assertThat(call("/free/x", "k").statusCode()).isEqualTo(200);
        HttpResponse<String> over = call("/free/x", "k");
        assertThat(over.statusCode()).isEqualTo(403);
        assertThat(GatewayFixture.json(over).get("error").asText()).isEqualTo("Quota exceeded");
    }

    @Test
    void quotaIsExceededWith403ThenRenewsOnTheFirstRequestAfterThePeriod() throws Exception {
        start("", keyApi("q", ""));
        key("k", "{\"quota_max\": 2, \"quota_remaining\": 2, \"quota_renewal_rate\": 2, \"access_rights\": {\"q\": {}}}");
        HttpResponse<String> first = call("/q/x", "k");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(header(first, "X-Quota-Limit")).isEqualTo(2);
        assertThat(header(first, "X-Quota-Remaining")).isEqualTo(1);
        assertThat(first.headers().firstValue("X-RateLimit-Limit")).isEmpty(); // no rate limit on this key
        assertThat(call("/q/x", "k").statusCode()).isEqualTo(200);
        // the admin API shows the quota as counted, not as the key was created
        assertThat(GatewayFixture.json(gw.admin("GET", "/keys/k", null)).get("quota_remaining").asLong()).isZero();
        HttpResponse<String> over = call("/q/x", "k");
        assertThat(over.statusCode()).isEqualTo(403);
        assertThat(GatewayFixture.json(over).get("error").asText()).isEqualTo("Quota exceeded");
        assertThat(header(over, "X-Quota-Remaining")).isZero();
        Thread.sleep(header(over, "X-Quota-Reset") * 1000 - System.currentTimeMillis() + 100);
        HttpResponse<String> renewed = call("/q/x", "k");
        assertThat(renewed.statusCode()).isEqualTo(200);
        assertThat(header(renewed, "X-Quota-Remaining")).isEqualTo(1);
    }

    @Test
    void aKeyCreatedPartUsedKeepsItsRemainingQuota() throws Exception {
        start("", keyApi("q", ""));
        key("k", "{\"quota_max\": 10, \"quota_remaining\": 1, \"quota_renewal_rate\": 3600, \"access_rights\": {\"q\": {}}}");
        assertThat(GatewayFixture.json(gw.admin("GET", "/keys/k", null)).get("quota_remaining").asLong()).isEqualTo(1);
        assertThat(call("/q/x", "k").statusCode()).isEqualTo(200);
        assertThat(call("/q/x", "k").statusCode()).isEqualTo(403);
    }

    /** Pyron's example: two endpoints share counter "log" at 10/s per APP-KEY. */
    @Test
    void endpointsNamingOneCounterShareOneAllowancePerAppKey() throws Exception {
        start("", "  - api_id: logs\n    listen_path: /api\n    target_url: UPSTREAM\n    auth: none\n"
                + "    rate_limit_algorithm: sliding_log\n"
                + "    extended_paths:\n      rate_limit:\n"
                + "        - {path: /log/mobile, method: POST, rate: 10, per: 1, counter: log, key: $headers.APP-KEY}\n"
                + "        - {path: /log/web, method: POST, rate: 10, per: 1, counter: log, key: $headers.APP-KEY}\n");
        assertThat(burst("A", 16)).isEqualTo(10);
        assertThat(burst("B", 16)).isEqualTo(10);
        // GET is not limited by the POST entries
        for (int i = 0; i < 12; i++) assertThat(gw.get("/api/log/web", "APP-KEY", "A").statusCode()).isEqualTo(200);
    }

    /** Sends {@code n} POSTs at once, alternating /log/mobile and /log/web; returns how many got 200. */
    int burst(String appKey, int n) {
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            HttpRequest req = HttpRequest.newBuilder(gw.url(i % 2 == 0 ? "/api/log/mobile" : "/api/log/web"))
                    .header("APP-KEY", appKey).timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
            all.add(gw.http().sendAsync(req, HttpResponse.BodyHandlers.ofString()));
        }
        int ok = 0;
        for (CompletableFuture<HttpResponse<String>> f : all) {
            int status = f.join().statusCode();
            assertThat(status).isIn(200, 429);
            if (status == 200) ok++;
        }
        return ok;
    }

    @Test
    void aCounterNamedByTwoApisIsOneAllowanceKeyedByWhatAuthFound() throws Exception {
        String limit = "    extended_paths:\n      rate_limit:\n"
                + "        - {path: '/.*', rate: 3, per: 60, counter: shared, key: $authn.sub}\n";
        start("rate_limit: {algorithm: sliding_log}", keyApi("one", limit), keyApi("two", limit));
        key("alice-1", "{\"meta_data\": {\"sub\": \"alice\"}, \"access_rights\": {\"one\": {}, \"two\": {}}}");
        key("alice-2", "{\"meta_data\": {\"sub\": \"alice\"}, \"access_rights\": {\"one\": {}, \"two\": {}}}");
        key("bob", "{\"meta_data\": {\"sub\": \"bob\"}, \"access_rights\": {\"one\": {}, \"two\": {}}}");
        assertThat(call("/one/x", "alice-1").statusCode()).isEqualTo(200);
        assertThat(call("/two/x", "alice-2").statusCode()).isEqualTo(200);
        assertThat(call("/two/x", "alice-1").statusCode()).isEqualTo(200);
        assertThat(call("/one/x", "alice-2").statusCode()).isEqualTo(429);
        assertThat(call("/one/x", "bob").statusCode()).isEqualTo(200);
    }

    @Test
    void endpointPathParamsCanKeyTheCounter() throws Exception {
        start("", "  - api_id: users\n    listen_path: /users\n    target_url: UPSTREAM\n    auth: none\n"
                + "    extended_paths:\n      rate_limit:\n"
                + "        - {path: '/{id}/orders', rate: 2, per: 60, key: $pathParams.id}\n");
        assertThat(gw.get("/users/7/orders").statusCode()).isEqualTo(200);
        assertThat(gw.get("/users/7/orders/").statusCode()).isEqualTo(200);
        assertThat(gw.get("/users/7/orders").statusCode()).isEqualTo(429);
        assertThat(gw.get("/users/8/orders").statusCode()).isEqualTo(200);
        assertThat(gw.get("/users/7/profile").statusCode()).isEqualTo(200); // no entry matches
    }

    /** Kong's example, scaled to a test's time: a short and a long window together, all must pass. */
    @Test
    void severalWindowsMustAllPass() throws Exception {
        start("", "  - api_id: two\n    listen_path: /two\n    target_url: UPSTREAM\n    auth: none\n"
                + "    rate_limit_algorithm: sliding_log\n"
                + "    global_rate_limit: [{rate: 3, per: 1}, {rate: 5, per: 3600}]\n");
        for (int i = 0; i < 3; i++) assertThat(gw.get("/two/x").statusCode()).isEqualTo(200);
        HttpResponse<String> perSecond = gw.get("/two/x");
        assertThat(perSecond.statusCode()).isEqualTo(429);
        assertThat(header(perSecond, "X-RateLimit-Limit")).isEqualTo(3);
        Thread.sleep(1_100);
        assertThat(gw.get("/two/x").statusCode()).isEqualTo(200);
        HttpResponse<String> last = gw.get("/two/x");
        assertThat(last.statusCode()).isEqualTo(200);
        assertThat(header(last, "X-RateLimit-Limit")).as("the hour window is now the tightest").isEqualTo(5);
        assertThat(header(last, "X-RateLimit-Remaining")).isZero();
        HttpResponse<String> perHour = gw.get("/two/x");
        assertThat(perHour.statusCode()).isEqualTo(429);
        assertThat(header(perHour, "X-RateLimit-Limit")).isEqualTo(5);
        assertThat(header(perHour, "Retry-After")).isGreaterThan(3500);
    }

    /** Tyk's example: policies 90/30 s and 100/10 s on one key give 100 per 10 s (10/s), not 100 per 30 s. */
    @Test
    void ofSeveralPoliciesTheHighestEffectiveRateWins() throws Exception {
        start("rate_limit: {algorithm: sliding_log}", keyApi("p", ""));
        assertThat(gw.admin("POST", "/policies", "{\"id\": \"slow\", \"rate\": 90, \"per\": 30}").statusCode()).isEqualTo(201);
        assertThat(gw.admin("POST", "/policies", "{\"id\": \"fast\", \"rate\": 100, \"per\": 10}").statusCode()).isEqualTo(201);
        key("k", "{\"apply_policies\": [\"slow\", \"fast\"], \"access_rights\": {\"p\": {}}}");
        int ok = 0;
        HttpResponse<String> last = null;
        for (int i = 0; i < 101; i++) {
            last = call("/p/x", "k");
            if (last.statusCode() == 200) ok++;
        }
        assertThat(ok).isEqualTo(100);
        assertThat(last.statusCode()).isEqualTo(429);
        assertThat(header(last, "X-RateLimit-Limit")).isEqualTo(100);
        assertThat(header(last, "Retry-After")).as("a 10 s window, not 30 s").isLessThanOrEqualTo(10);
        long end = System.currentTimeMillis();
        assertThat(header(last, "X-RateLimit-Reset")).as("a 10 s window").isLessThanOrEqualTo(end / 1000 + 11);
    }

    @Test
    void aRateLimitPatternMakesKeysOfOneDeveloperAndPlanShareOneAllowance() throws Exception {
        start("rate_limit: {algorithm: sliding_log}", keyApi("p", ""));
        assertThat(gw.admin("POST", "/policies", "{\"id\": \"gold\", \"rate\": 5, \"per\": 60,"
                + " \"meta_data\": {\"rate_limit_pattern\": \"$tyk_meta.DeveloperID|$tyk_meta.PlanID\"}}").statusCode()).isEqualTo(201);
        key("dev1-a", "{\"apply_policies\": [\"gold\"], \"meta_data\": {\"DeveloperID\": \"dev1\", \"PlanID\": \"gold\"}, \"access_rights\": {\"p\": {}}}");
        key("dev1-b", "{\"apply_policies\": [\"gold\"], \"meta_data\": {\"DeveloperID\": \"dev1\", \"PlanID\": \"gold\"}, \"access_rights\": {\"p\": {}}}");
        key("dev2", "{\"apply_policies\": [\"gold\"], \"meta_data\": {\"DeveloperID\": \"dev2\", \"PlanID\": \"gold\"}, \"access_rights\": {\"p\": {}}}");
        int ok = 0;
        for (int i = 0; i < 4; i++) {
            if (call("/p/x", "dev1-a").statusCode() == 200) ok++;
            if (call("/p/x", "dev1-b").statusCode() == 200) ok++;
        }
        assertThat(ok).isEqualTo(5);
        int other = 0;
        for (int i = 0; i < 6; i++) if (call("/p/x", "dev2").statusCode() == 200) other++;
        assertThat(other).isEqualTo(5);
    }

    @Test
    void aPolicyChangeAppliesToItsKeysAtOnce() throws Exception {
        start("rate_limit: {algorithm: sliding_log}", keyApi("p", ""));
        assertThat(gw.admin("POST", "/policies", "{\"id\": \"plan\", \"rate\": 2, \"per\": 60}").statusCode()).isEqualTo(201);
        key("k", "{\"apply_policies\": [\"plan\"], \"access_rights\": {\"p\": {}}}");
        assertThat(call("/p/x", "k").statusCode()).isEqualTo(200);
        assertThat(call("/p/x", "k").statusCode()).isEqualTo(200);
        assertThat(call("/p/x", "k").statusCode()).isEqualTo(429);
        assertThat(gw.admin("PUT", "/policies/plan", "{\"rate\": 4, \"per\": 60}").statusCode()).isEqualTo(200);
        assertThat(call("/p/x", "k").statusCode()).isEqualTo(200);
        assertThat(gw.admin("GET", "/policies/plan", null).body()).contains("\"rate\":4.0");
    }

    @Test
    void aKeyWithAnUnknownPolicyIsRefused() throws Exception {
        start("", keyApi("p", ""));
        key("k", "{\"apply_policies\": [\"nope\"], \"access_rights\": {\"p\": {}}}");
        HttpResponse<String> r = call("/p/x", "k");
        assertThat(r.statusCode()).isEqualTo(403);
    }

    @Test
    void policiesAdminApiValidatesEachField() throws Exception {
        start("", keyApi("p", ""));
        HttpResponse<String> bad = gw.admin("POST", "/policies", "{\"id\": \"x y\", \"rate\": 5, \"per\": 0, \"quota_max\": -5,"
                + " \"meta_data\": {\"rate_limit_pattern\": \"$body.user\"}}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(GatewayFixture.json(bad).get("errors")).extracting(JsonNode::asText).containsExactly(
                "id: \"x y\" may only hold letters, digits and . _ ~ - (at most 128)",
                "per: must be > 0 when rate is set",
                "quota_max: -5 is out of range (-1 (unlimited) or >= 0)",
                "meta_data.rate_limit_pattern: \"$body.user\" is not one of $headers.NAME, $pathParams.NAME, $authn.CLAIM, $tyk_meta.FIELD, $ip ($body is not supported yet)");
        assertThat(gw.admin("GET", "/policies", null).body()).isEqualTo("{\"policies\":[]}");
        assertThat(gw.admin("DELETE", "/policies/none", null).statusCode()).isEqualTo(404);
    }

    @Test
    void keyPerApiLimitIsCheckedBeforeTheKeyGlobalLimit() throws Exception {
        start("rate_limit: {algorithm: sliding_log}", keyApi("a", ""), keyApi("b", ""));
        key("k", "{\"rate\": 4, \"per\": 60, \"access_rights\": {\"a\": {\"limit\": {\"rate\": 2, \"per\": 60}}, \"b\": {}}}");
        assertThat(call("/a/x", "k").statusCode()).isEqualTo(200);
        assertThat(call("/a/x", "k").statusCode()).isEqualTo(200);
        HttpResponse<String> perApi = call("/a/x", "k");
        assertThat(perApi.statusCode()).isEqualTo(429);
        assertThat(header(perApi, "X-RateLimit-Limit")).isEqualTo(2);
        // the key's global allowance (4) is shared by both APIs: 2 used on a
        assertThat(call("/b/x", "k").statusCode()).isEqualTo(200);
        assertThat(call("/b/x", "k").statusCode()).isEqualTo(200);
        assertThat(call("/b/x", "k").statusCode()).isEqualTo(429);
    }

    @Test
    void keyPerEndpointLimitsInTyksShapeComeBeforeTheKeysOtherLimits() throws Exception {
        start("rate_limit: {algorithm: sliding_log}", keyApi("e", ""));
        key("k", "{\"rate\": 10, \"per\": 60, \"access_rights\": {\"e\": {\"endpoints\": ["
                + "{\"path\": \"/search\", \"methods\": [{\"name\": \"GET\", \"limit\": {\"rate\": 2, \"per\": 60}}]}]}}}");
        assertThat(call("/e/search", "k").statusCode()).isEqualTo(200);
        assertThat(call("/e/search", "k").statusCode()).isEqualTo(200);
        HttpResponse<String> denied = call("/e/search", "k");
        assertThat(denied.statusCode()).isEqualTo(429);
        assertThat(header(denied, "X-RateLimit-Limit")).isEqualTo(2);
        HttpResponse<String> other = call("/e/other", "k");
        assertThat(other.statusCode()).isEqualTo(200);
        // 3 of the key's 10 are gone: the denied request passed no scope after the endpoint's
        assertThat(header(other, "X-RateLimit-Remaining")).isEqualTo(7);
        assertThat(gw.admin("GET", "/metrics", null).body()).contains("polygate_limit_rate_limited_total 1.0");
    }

    @Test
    void throttlingWaitsAndRetriesWithoutHoldingAThread() throws Exception {
        start("rate_limit: {algorithm: fixed_window}", keyApi("t", ""));
        key("k", "{\"rate\": 1, \"per\": 2, \"throttle_interval\": 1, \"throttle_retry_limit\": 4, \"access_rights\": {\"t\": {}}}");
        long windowStart = System.currentTimeMillis() / 2000 * 2000;
        // start just after a window opens so the first request surely has the window's one slot
        Thread.sleep(Math.max(0, windowStart + 2000 + 50 - System.currentTimeMillis()));
        assertThat(call("/t/x", "k").statusCode()).isEqualTo(200);
        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        long sent = System.nanoTime();
        for (int i = 0; i < 3; i++) waiting.add(gw.http().sendAsync(HttpRequest.newBuilder(gw.url("/t/x"))
                .header("Authorization", "k").timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()));
        Thread.sleep(500);
        assertThat(threadsInTheChain()).as("threads inside the request chain while 3 requests wait").isZero();
        int ok = 0, limited = 0;
        for (CompletableFuture<HttpResponse<String>> f : waiting) {
            int s = f.join().statusCode();
            if (s == 200) ok++;
            if (s == 429) limited++;
        }
        long waitedMillis = (System.nanoTime() - sent) / 1_000_000;
        // one slot per 2 s window: the waiting requests get the next two windows' slots within 4 retries of 1 s
        assertThat(ok).isEqualTo(2);
        assertThat(limited).isEqualTo(1);
        assertThat(waitedMillis).isBetween(3_500L, 6_000L);
        assertThat(GatewayFixture.json(gw.admin("GET", "/limits/stats", null)).get("throttle_passed").asLong()).isEqualTo(2);
    }

    /** Tyk's smoothing: the allowance starts at threshold and steps towards rate as traffic grows, then back. */
    @Test
    void smoothingRaisesTheAllowanceStepByStepAndLowersItWhenTrafficFalls() throws Exception {
        start("rate_limit: {algorithm: sliding_log}", keyApi("s", ""));
        key("k", "{\"rate\": 10, \"per\": 2, \"smoothing\": {\"enabled\": true, \"threshold\": 2, \"trigger\": 0.5,"
                + " \"step\": 2, \"delay\": 1}, \"access_rights\": {\"s\": {}}}");
        // allowance 2; the 2nd request (2 > 2 - 1) steps it up to 4; no further step within the 1 s delay
        assertThat(admitted("/s/x", "k", 8)).isEqualTo(4);
        assertThat(stats("smoothing_up")).isEqualTo(1);
        Thread.sleep(1_100);
        // the 4 are still in the 2 s window: the first request is over 4 - 1 and steps up to 6
        assertThat(admitted("/s/x", "k", 8)).isEqualTo(2);
        assertThat(stats("smoothing_up")).isEqualTo(2);
        Thread.sleep(2_500);
        HttpResponse<String> quiet = call("/s/x", "k");
        assertThat(header(quiet, "X-RateLimit-Limit")).isEqualTo(6);
        assertThat(stats("smoothing_down")).as("1 request in the window is under 6 - 3").isEqualTo(1);
        assertThat(header(call("/s/x", "k"), "X-RateLimit-Limit")).isEqualTo(4);
    }

    int admitted(String path, String key, int n) throws Exception {
        int ok = 0;
        for (int i = 0; i < n; i++) if (call(path, key).statusCode() == 200) ok++;
        return ok;
    }

    long stats(String name) throws Exception {
        return GatewayFixture.json(gw.admin("GET", "/limits/stats", null)).get(name).asLong();
    }

    static long threadsInTheChain() {
        return Thread.getAllStackTraces().values().stream()
                .filter(st -> java.util.Arrays.stream(st).anyMatch(f -> f.getClassName().equals("io.polygate.proxy.ChainHandler")))
                .count();
    }
}
