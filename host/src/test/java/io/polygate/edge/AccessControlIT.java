package io.polygate.edge;

import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polygate.config.ConfigException;
import io.polygate.testing.GatewayFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who may call an API: Tyk's IP allow and block lists with CIDRs, believed through
 * {@code X-Forwarded-For} / {@code Forwarded} only from {@code trusted_proxies}, and CORS: preflights
 * answered by the gateway before authentication, CORS headers on answers to allowed origins.
 */
class AccessControlIT {
    static final String APIS = """
            apis:
              - {api_id: loopback-only, listen_path: /loopback-only, target_url: "echo://", use_keyless: true,
                 enable_ip_whitelisting: true, allowed_ips: ["127.0.0.1"]}
              - {api_id: ten-only, listen_path: /ten-only, target_url: "echo://", use_keyless: true,
                 enable_ip_whitelisting: true, allowed_ips: ["10.0.0.0/8", "2001:db8::/32"]}
              - {api_id: blocking, listen_path: /blocking, target_url: "echo://", use_keyless: true,
                 enable_ip_blacklisting: true, blacklisted_ips: ["10.6.6.0/24", "10.7.7.1-10.7.7.9"]}
              - {api_id: cors, listen_path: /cors, target_url: "echo://", auth: key,
                 CORS: {enable: true, allowed_origins: ["https://app.example.com", "https://*.example.org"],
                        allowed_methods: [GET, PUT], allowed_headers: [Content-Type, X-Api-Key], exposed_headers: [X-Trace],
                        allow_credentials: true, max_age: 600}}
              - {api_id: cors-any, listen_path: /cors-any, target_url: "echo://", use_keyless: true,
                 CORS: {enable: true, allowed_origins: ["*"]}}
              - {api_id: cors-passthrough, listen_path: /cors-passthrough, target_url: "echo://", use_keyless: true,
                 CORS: {enable: true, allowed_origins: ["https://app.example.com"], options_passthrough: true}}
            """;
    static GatewayFixture behindProxy;
    static GatewayFixture atTheEdge;

    @BeforeAll
    static void start() throws Exception {
        behindProxy = GatewayFixture.start("trusted_proxies: [\"127.0.0.1\", \"192.168.0.0/16\"]\n" + APIS);
        atTheEdge = GatewayFixture.start(APIS);
    }

    @AfterAll
    static void stop() {
        if (behindProxy != null) behindProxy.close();
        if (atTheEdge != null) atTheEdge.close();
    }

    @Test
    void anAllowListAdmitsOnlyItsAddressesAnd403sTheRestWithTyksMessage() throws Exception {
        assertThat(atTheEdge.get("/loopback-only/x").statusCode()).isEqualTo(200);
        HttpResponse<String> refused = atTheEdge.get("/ten-only/x");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(json(refused).path("error").asText()).isEqualTo("access from this IP has been disallowed");
    }

    @Test
    void forwardedForIsBelievedOnlyFromATrustedProxy() throws Exception {
        assertThat(behindProxy.get("/ten-only/x", "X-Forwarded-For", "10.1.2.3").statusCode()).isEqualTo(200);
        assertThat(behindProxy.get("/ten-only/x", "Forwarded", "for=\"[2001:db8::7]:4711\";proto=https").statusCode()).isEqualTo(200);
        assertThat(behindProxy.get("/loopback-only/x", "X-Forwarded-For", "10.1.2.3").statusCode())
                .as("the client is 10.1.2.3, not the proxy").isEqualTo(403);
        // a chain of trusted proxies is walked from the right; the first untrusted hop is the client
        assertThat(behindProxy.get("/ten-only/x", "X-Forwarded-For", "10.1.2.3, 192.168.4.4").statusCode()).isEqualTo(200);
        assertThat(behindProxy.get("/ten-only/x", "X-Forwarded-For", "10.1.2.3, 203.0.113.9").statusCode())
                .as("a client cannot claim an address by prepending it").isEqualTo(403);
        assertThat(behindProxy.get("/ten-only/x", "X-Forwarded-For", "not-an-ip").statusCode())
                .as("what is not an IP is not believed: the client is the proxy").isEqualTo(403);
        assertThat(json(behindProxy.get("/loopback-only/x", "X-Forwarded-For", "10.1.2.3")).path("error").asText())
                .isEqualTo("access from this IP has been disallowed");

        assertThat(atTheEdge.get("/ten-only/x", "X-Forwarded-For", "10.1.2.3").statusCode())
                .as("without trusted_proxies nobody's header is believed").isEqualTo(403);
        assertThat(json(atTheEdge.get("/loopback-only/x", "X-Forwarded-For", "10.1.2.3")).path("origin").asText())
                .as("the upstream still sees the forwarded chain").isEqualTo("127.0.0.1");
    }

    @Test
    void aBlockListRefusesItsCidrsAndRanges() throws Exception {
        assertThat(behindProxy.get("/blocking/x", "X-Forwarded-For", "10.6.6.6").statusCode()).isEqualTo(403);
        assertThat(behindProxy.get("/blocking/x", "X-Forwarded-For", "10.7.7.5").statusCode()).isEqualTo(403);
        assertThat(behindProxy.get("/blocking/x", "X-Forwarded-For", "10.7.7.10").statusCode()).isEqualTo(200);
        assertThat(behindProxy.get("/blocking/x", "X-Forwarded-For", "10.8.0.1").statusCode()).isEqualTo(200);
    }

    @Test
    void aPreflightIsAnsweredBeforeAuthenticationWithTheAllowHeaders() throws Exception {
        HttpResponse<String> r = preflight("/cors/orders", "https://app.example.com", "PUT", "content-type, x-api-key");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
        assertThat(r.headers().firstValue("Access-Control-Allow-Methods")).hasValue("PUT");
        assertThat(r.headers().firstValue("Access-Control-Allow-Headers")).hasValue("content-type, x-api-key");
        assertThat(r.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
        assertThat(r.headers().firstValue("Access-Control-Max-Age")).hasValue("600");
        assertThat(r.headers().allValues("Vary")).anySatisfy(v -> assertThat(v).contains("Origin"));
        assertThat(preflight("/cors/orders", "https://shop.example.org", "GET", null).statusCode()).as("wildcard origin").isEqualTo(204);
    }

    @Test
    void aPreflightFromAnotherOriginOrForAnotherMethodOrHeaderIs403NamingIt() throws Exception {
        HttpResponse<String> origin = preflight("/cors/orders", "https://evil.example.net", "PUT", null);
        assertThat(origin.statusCode()).isEqualTo(403);
        assertThat(json(origin).path("error").asText()).isEqualTo("CORS preflight refused: origin https://evil.example.net is not allowed");
        assertThat(origin.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(json(preflight("/cors/orders", "https://app.example.com", "DELETE", null)).path("error").asText())
                .isEqualTo("CORS preflight refused: method DELETE is not allowed");
        assertThat(json(preflight("/cors/orders", "https://app.example.com", "GET", "X-Secret")).path("error").asText())
                .isEqualTo("CORS preflight refused: header X-Secret is not allowed");
    }

    @Test
    void answersToAnAllowedOriginCarryTheCorsHeadersErrorsIncluded() throws Exception {
        HttpResponse<String> unauthenticated = behindProxy.get("/cors/orders", "Origin", "https://app.example.com");
        assertThat(unauthenticated.statusCode()).isEqualTo(401);
        assertThat(unauthenticated.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
        assertThat(unauthenticated.headers().firstValue("Access-Control-Expose-Headers")).hasValue("X-Trace");

        HttpResponse<String> any = behindProxy.get("/cors-any/x", "Origin", "https://anyone.example");
        assertThat(any.statusCode()).isEqualTo(200);
        assertThat(any.headers().firstValue("Access-Control-Allow-Origin")).as("no credentials: any origin is *").hasValue("*");

        HttpResponse<String> other = behindProxy.get("/cors/orders", "Origin", "https://evil.example.net");
        assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).as("served, but the browser gets no permission").isEmpty();
    }

    @Test
    void withOptionsPassthroughThePreflightReachesTheUpstream() throws Exception {
        HttpResponse<String> r = preflight("/cors-passthrough/x", "https://app.example.com", "GET", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).path("method").asText()).isEqualTo("OPTIONS");
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
    }

    @Test
    void addressesThatAreNotIpLiteralsAreConfigErrorsNamingTheField() {
        assertThatThrownBy(() -> GatewayFixture.start("""
                trusted_proxies: ["proxy.internal"]
                apis:
                  - {api_id: bad, listen_path: /bad, target_url: "echo://", use_keyless: true, enable_ip_whitelisting: true, allowed_ips: ["10.0.0.0/99"]}
                  - {api_id: bad-cors, listen_path: /bad-cors, target_url: "echo://", use_keyless: true, CORS: {enable: true, allowed_methods: ["GET POST"]}}
                """).close())
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactlyInAnyOrder(
                        "trusted_proxies: \"proxy.internal\" is not an IP address, a CIDR (\"10.0.0.0/8\", \"2001:db8::/32\") or a range (\"10.0.0.1-10.0.0.9\")",
                        "apis[0].allowed_ips: \"10.0.0.0/99\" is not an IP address, a CIDR (\"10.0.0.0/8\", \"2001:db8::/32\") or a range (\"10.0.0.1-10.0.0.9\")",
                        "apis[1].CORS.allowed_methods: \"GET POST\" is not a method or header name"));
    }

    static HttpResponse<String> preflight(String path, String origin, String method, String headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(behindProxy.url(path)).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin).header("Access-Control-Request-Method", method);
        if (headers != null) b.header("Access-Control-Request-Headers", headers);
        return behindProxy.http().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
