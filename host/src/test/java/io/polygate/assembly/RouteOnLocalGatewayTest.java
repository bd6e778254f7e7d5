package io.polygate.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.config.RateLimitConfig;
import io.polygate.config.ConfigErrors;
import io.polygate.limit.Limits;
import io.polygate.limit.local.LocalLimiters;
import io.polygate.proxy.EchoServer;
import io.polygate.session.SessionStore;
import io.polygate.storage.memory.MemoryStore;
import io.polygate.testing.GatewayFixture;
import io.polygate.testing.LocalGateway;
import io.polygate.testing.ManualClock;
import io.polygate.testing.TestApis;
import java.time.Instant;
import org.eclipse.jetty.http.HttpTester;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Whole routes as {@link RouteBuilder} builds them (key auth, then the API's and the key's limits)
 * served on a {@link LocalGateway}, to a real upstream on loopback and to the built-in echo: the
 * headers the steps add reach the client exactly once, on the upstream's answer and on the
 * chain's own.
 */
class RouteOnLocalGatewayTest {
    static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    static final String KEY = "k-route";

    final ManualClock clock = new ManualClock(NOW);
    final SessionStore sessions = new SessionStore(new MemoryStore(clock));
    EchoServer upstream;
    LocalGateway gateway;

    @BeforeEach
    void start() throws Exception {
        upstream = new EchoServer("127.0.0.1", 0).start();
        gateway = LocalGateway.start();
        RouteBuilder routes = new RouteBuilder(sessions, gateway.proxy(), clock, new Limits(RateLimitConfig.DEFAULT, new LocalLimiters(clock), null, () -> 1, null, clock, null));
        gateway.serve(routes.build(TestApis.parse(api("proxied", "/proxied", "http://127.0.0.1:" + upstream.port() + "/base"))),
                routes.build(TestApis.parse(api("echoed", "/echoed", "echo://"))));
        ConfigErrors errors = new ConfigErrors();
        sessions.save(sessions.id(KEY), SessionStore.parse("""
                {"access_rights": {"proxied": {}, "echoed": {}}, "quota_max": 10, "quota_renewal_rate": 3600}
                """, errors));
        assertThat(errors.list()).isEmpty();
    }

    static String api(String id, String listenPath, String target) {
        return "api_id: " + id + "\nlisten_path: " + listenPath + "\ntarget_url: '" + target + "'\nauth: key\n"
                + "rate_limit_algorithm: fixed_window\nglobal_rate_limit: {rate: 2, per: 60}\n";
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        upstream.close();
    }

    @Test
    void proxiedAnswerCarriesEachLimitHeaderOnce() throws Exception {
        HttpTester.Response r = gateway.get("/proxied/items?page=2", "Authorization", KEY);
        assertThat(r.getStatus()).isEqualTo(200);
        JsonNode echoed = GatewayFixture.JSON.readTree(r.getContent());
        assertThat(echoed.get("path").asText()).isEqualTo("/base/items");
        assertThat(echoed.get("query").asText()).isEqualTo("page=2");
        assertLimitHeadersOnce(r);
    }

    @Test
    void echoedAnswerCarriesEachLimitHeaderOnce() throws Exception {
        HttpTester.Response r = gateway.get("/echoed/items", "Authorization", KEY);
        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(GatewayFixture.JSON.readTree(r.getContent()).get("path").asText()).isEqualTo("/items");
        assertLimitHeadersOnce(r);
    }

    @Test
    void theChainsOwnDenialCarriesEachLimitHeaderOnce() throws Exception {
        gateway.get("/proxied/a", "Authorization", KEY);
        gateway.get("/proxied/a", "Authorization", KEY);
        HttpTester.Response denied = gateway.get("/proxied/a", "Authorization", KEY);
        assertThat(denied.getStatus()).isEqualTo(429);
        assertThat(GatewayFixture.JSON.readTree(denied.getContent()).get("error").asText()).isEqualTo("Rate limit exceeded");
        assertThat(denied.getValuesList("X-RateLimit-Limit")).containsExactly("2");
        assertThat(denied.getValuesList("X-RateLimit-Remaining")).containsExactly("0");
        assertThat(denied.getValuesList("Retry-After")).hasSize(1);
        assertThat(denied.getValuesList("X-Quota-Remaining")).as("a denied request takes no quota").isEmpty();
    }

    @Test
    void anUnreachableUpstreamsAnswerStillCarriesEachLimitHeaderOnce() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        RouteBuilder routes = new RouteBuilder(sessions, gateway.proxy(), clock, new Limits(RateLimitConfig.DEFAULT, new LocalLimiters(clock), null, () -> 1, null, clock, null));
        gateway.serve(routes.build(TestApis.parse(api("proxied", "/proxied", "http://127.0.0.1:" + closedPort))));
        HttpTester.Response r = gateway.get("/proxied/items", "Authorization", KEY);
        assertThat(r.getStatus()).isEqualTo(502);
        assertThat(GatewayFixture.JSON.readTree(r.getContent()).get("error").asText()).startsWith("upstream unreachable: ");
        assertLimitHeadersOnce(r);
    }

    @Test
    void requestsKeyAuthRefusesCarryNoLimitHeaders() throws Exception {
        HttpTester.Response r = gateway.get("/proxied/items");
        assertThat(r.getStatus()).isEqualTo(401);
        assertThat(GatewayFixture.JSON.readTree(r.getContent()).get("error").asText()).isEqualTo("Authorization field missing");
        assertThat(r.get("X-RateLimit-Limit")).isNull();
    }

    /** The first request of the key: one rate check and one quota unit taken, each header once. */
    static void assertLimitHeadersOnce(HttpTester.Response r) {
        assertThat(r.getValuesList("X-RateLimit-Limit")).containsExactly("2");
        assertThat(r.getValuesList("X-RateLimit-Remaining")).containsExactly("1");
        assertThat(r.getValuesList("X-RateLimit-Reset")).containsExactly(Long.toString(NOW.getEpochSecond() + 60));
        assertThat(r.getValuesList("X-Quota-Limit")).containsExactly("10");
        assertThat(r.getValuesList("X-Quota-Remaining")).containsExactly("9");
        assertThat(r.getValuesList("X-Quota-Reset")).hasSize(1);
    }
}
