package io.polygate.gateway;

import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.proxy.EchoServer;
import io.polygate.testing.GatewayFixture;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a user of the gateway sees, through a real gateway in front of a real upstream. Run once
 * per storage implementation: {@link MemoryGatewayIT} and {@link RedisGatewayIT}.
 */
abstract class GatewayBehaviour {
    static EchoServer upstream;
    static ServerSocket silentUpstream;
    static final List<Socket> silentConnections = new ArrayList<>();
    static GatewayFixture gw;

    /** The YAML {@code storage:} section for this run. */
    static String yaml(String storage) {
        return """
                storage: %s
                proxy: {upstream_timeout: 1s, connect_timeout: 2s, max_request_body_bytes: 1048576}
                apis:
                  - {api_id: open, listen_path: /open/, target_url: "http://127.0.0.1:%d/base", auth: none}
                  - {api_id: open-deeper, listen_path: /open/deeper, target_url: "http://127.0.0.1:%d/deep", auth: none}
                  - {api_id: nostrip, listen_path: /keep, strip_listen_path: false, target_url: "http://127.0.0.1:%d", auth: none}
                  - {api_id: builtin, listen_path: /echo, target_url: "echo://", auth: none}
                  - {api_id: down, listen_path: /down, target_url: "http://127.0.0.1:%d", auth: none}
                  - {api_id: silent, listen_path: /silent, target_url: "http://127.0.0.1:%d", auth: none}
                """.formatted(storage, upstream.port(), upstream.port(), upstream.port(), closedPort(), silentUpstream.getLocalPort());
    }

    static void startUpstreams() throws Exception {
        upstream = new EchoServer("127.0.0.1", 0).start();
        // accepts connections and never answers
        silentUpstream = new ServerSocket(0);
        Thread t = new Thread(() -> {
            while (!silentUpstream.isClosed()) {
                try {
                    silentConnections.add(silentUpstream.accept());
                } catch (Exception e) {
                    return;
                }
            }
        }, "silent-upstream");
        t.setDaemon(true);
        t.start();
    }

    static int closedPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (gw != null) gw.close();
        if (upstream != null) upstream.close();
        if (silentUpstream != null) silentUpstream.close();
        for (Socket s : silentConnections) s.close();
    }

    @Test
    void proxiesToTheUpstreamStrippingTheListenPath() throws Exception {
        HttpResponse<String> r = gw.get("/open/anything/else?x=1&y=a%20b", "X-Custom", "v1");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode echo = json(r);
        assertThat(echo.get("path").asText()).isEqualTo("/base/anything/else");
        assertThat(echo.get("query").asText()).isEqualTo("x=1&y=a%20b");
        assertThat(echo.at("/args/y/0").asText()).isEqualTo("a b");
        assertThat(echo.at("/headers/X-Custom").asText()).isEqualTo("v1");
        assertThat(echo.at("/headers/X-Forwarded-For").asText()).isEqualTo("127.0.0.1");
        assertThat(echo.at("/headers/X-Forwarded-Proto").asText()).isEqualTo("http");
        assertThat(echo.at("/headers/X-Forwarded-Host").asText()).isEqualTo("127.0.0.1:" + gw.gateway().port());
        assertThat(echo.at("/headers/Host").asText()).isEqualTo("127.0.0.1:" + upstream.port());
    }

    @Test
    void longestListenPathWins() throws Exception {
        assertThat(json(gw.get("/open/deeper/x")).get("path").asText()).isEqualTo("/deep/x");
        assertThat(json(gw.get("/open/deeperx")).get("path").asText()).isEqualTo("/base/deeperx");
        assertThat(json(gw.get("/keep/a")).get("path").asText()).isEqualTo("/keep/a");
    }

    @Test
    void unknownPathIs404Json() throws Exception {
        HttpResponse<String> r = gw.get("/nothing/here");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(json(r).get("error").asText()).isEqualTo("no API is listening on /nothing/here");
    }

    @Test
    void postBodyReachesTheUpstream() throws Exception {
        HttpResponse<String> r = gw.http().send(HttpRequest.newBuilder(gw.url("/open/post"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"hello\":\"world\"}")).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("method").asText()).isEqualTo("POST");
        assertThat(json(r).get("body").asText()).isEqualTo("{\"hello\":\"world\"}");
    }

    @Test
    void oversizedBodiesGet413Json() throws Exception {
        byte[] big = new byte[2 * 1024 * 1024];
        // a client sending a big body announces it (Expect: 100-continue, as curl does) and gets the refusal before sending
        HttpResponse<String> declared = gw.http().send(HttpRequest.newBuilder(gw.url("/open/post")).expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofByteArray(big)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(json(declared).get("error").asText()).isEqualTo("request body of 2097152 bytes is over the limit of 1048576");

        // no Content-Length (chunked): counted as it streams, refused once past the limit. The gateway closes the
        // connection after the 413 while the client may still be sending, so the client may see the close instead.
        try {
            HttpResponse<String> chunked = gw.http().send(HttpRequest.newBuilder(gw.url("/open/post"))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(chunked.statusCode()).isEqualTo(413);
            assertThat(json(chunked).get("error").asText()).isEqualTo("request body is over the limit of 1048576 bytes");
        } catch (java.io.IOException closedWhileSending) {
            // refused all the same: the upstream never answered this request
        }

        HttpResponse<String> small = gw.http().send(HttpRequest.newBuilder(gw.url("/open/post"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1000])).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(small.statusCode()).isEqualTo(200);
    }

    @Test
    void hopByHopHeadersAreNotForwarded() throws Exception {
        String response = rawRequest(gw.gateway().port(), "GET /open/h HTTP/1.1\r\nHost: gw\r\nConnection: keep-alive, X-Hop\r\n"
                + "X-Hop: secret\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Authorization: Basic eA==\r\nX-End: kept\r\n"
                + "Content-Length: 0\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 200");
        String body = response.substring(response.indexOf("\r\n\r\n") + 4);
        JsonNode headers = GatewayFixture.JSON.readTree(body).get("headers");
        assertThat(headers.has("X-End")).isTrue();
        assertThat(headers.has("X-Hop")).isFalse();
        assertThat(headers.has("Keep-Alive")).isFalse();
        assertThat(headers.has("TE")).isFalse();
        assertThat(headers.has("Proxy-Authorization")).isFalse();
    }

    @Test
    void builtInEchoAnswersWithoutAnyUpstream() throws Exception {
        HttpResponse<String> r = gw.get("/echo/anything?x=1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("path").asText()).isEqualTo("/anything");
        assertThat(json(r).at("/args/x/0").asText()).isEqualTo("1");
    }

    @Test
    void refusedUpstreamIs502Json() throws Exception {
        HttpResponse<String> r = gw.get("/down/x");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(json(r).get("error").asText()).startsWith("upstream unreachable");
        assertThat(json(r).get("error_id").asText()).hasSize(12);
    }

    @Test
    void silentUpstreamIs504JsonAfterTheTimeout() throws Exception {
        Instant start = Instant.now();
        HttpResponse<String> r = gw.get("/silent/x");
        Duration took = Duration.between(start, Instant.now());
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(json(r).get("error").asText()).isEqualTo("upstream did not answer within 1000 ms");
        assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(10));
    }

    @Test
    void malformedRequestGets400Json() throws Exception {
        String response = rawRequest(gw.gateway().port(), "GET /open/%zz HTTP/1.1\r\nHost: gw\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 400");
        assertThat(response).contains("application/json").contains("\"status\":400");
    }

    @Test
    void oversizedHeadersGet431Json() throws Exception {
        String big = "x".repeat(20_000);
        String response = rawRequest(gw.gateway().port(), "GET /open/a HTTP/1.1\r\nHost: gw\r\nX-Big: " + big + "\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 431");
        assertThat(response).contains("\"status\":431");
    }

    // --- admin API, keys and key auth

    @Test
    void adminRefusesAWrongOrMissingSecret() throws Exception {
        assertThat(gw.adminWithSecret("wrong", "GET", "/apis", null).statusCode()).isEqualTo(401);
        HttpResponse<String> r = gw.adminWithSecret(null, "GET", "/health", null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(json(r).get("error").asText()).contains("admin secret");
        assertThat(gw.admin("GET", "/health", null).statusCode()).isEqualTo(200);
    }

    @Test
    void apiAndKeyCreatedThroughTheAdminApiTakeEffectAtOnce() throws Exception {
        String api = """
                {"api_id": "orders", "name": "Orders", "listen_path": "/orders/",
                 "target_url": "http://127.0.0.1:%d", "auth": {"type": "key", "header_name": "X-Api-Key"}}
                """.formatted(upstream.port());
        assertThat(gw.admin("POST", "/apis", api).statusCode()).isEqualTo(201);
        assertThat(gw.admin("POST", "/apis", api).statusCode()).isEqualTo(409);

        HttpResponse<String> created = gw.admin("POST", "/keys",
                "{\"rate\": 1000, \"per\": 1, \"access_rights\": {\"orders\": {\"api_id\": \"orders\"}}}");
        assertThat(created.statusCode()).isEqualTo(201);
        String key = json(created).get("key").asText();
        assertThat(key).hasSizeGreaterThan(20);
        HttpResponse<String> other = gw.admin("POST", "/keys", "{\"access_rights\": {\"open\": {}}}");
        String otherKey = json(other).get("key").asText();

        assertThat(gw.get("/orders/1", "X-Api-Key", key).statusCode()).isEqualTo(200);
        assertThat(gw.get("/orders/1", "X-Api-Key", "Bearer " + key).statusCode()).isEqualTo(200);
        HttpResponse<String> missing = gw.get("/orders/1");
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(json(missing).get("error").asText()).isEqualTo("Authorization field missing");
        assertThat(gw.get("/orders/1", "X-Api-Key", otherKey).statusCode()).isEqualTo(403);
        assertThat(gw.get("/orders/1", "X-Api-Key", "no-such-key").statusCode()).isEqualTo(403);

        // update the API live: a new listen path
        assertThat(gw.admin("PUT", "/apis/orders", api.replace("/orders/", "/orders-v2/")).statusCode()).isEqualTo(200);
        assertThat(gw.get("/orders/1", "X-Api-Key", key).statusCode()).isEqualTo(404);
        assertThat(gw.get("/orders-v2/1", "X-Api-Key", key).statusCode()).isEqualTo(200);

        // deactivate, then expire the key
        assertThat(gw.admin("PUT", "/keys/" + key, "{\"is_inactive\": true, \"access_rights\": {\"orders\": {}}}").statusCode()).isEqualTo(200);
        assertThat(json(gw.get("/orders-v2/1", "X-Api-Key", key)).get("error").asText()).isEqualTo("Key is inactive, please renew");
        long past = Instant.now().getEpochSecond() - 10;
        gw.admin("PUT", "/keys/" + key, "{\"expires\": " + past + ", \"access_rights\": {\"orders\": {}}}");
        HttpResponse<String> expired = gw.get("/orders-v2/1", "X-Api-Key", key);
        assertThat(expired.statusCode()).isEqualTo(403);
        assertThat(json(expired).get("error").asText()).isEqualTo("Key has expired, please renew");

        // keys list / get / delete
        assertThat(json(gw.admin("GET", "/keys", null)).get("keys").toString()).contains(io.polygate.session.KeyHash.of(key)).doesNotContain(key);
        assertThat(json(gw.admin("GET", "/keys/" + key, null)).get("expires").asLong()).isEqualTo(past);
        assertThat(gw.admin("DELETE", "/keys/" + key, null).statusCode()).isEqualTo(200);
        assertThat(gw.admin("GET", "/keys/" + key, null).statusCode()).isEqualTo(404);
        assertThat(gw.get("/orders-v2/1", "X-Api-Key", key).statusCode()).isEqualTo(403);

        assertThat(gw.admin("DELETE", "/apis/orders", null).statusCode()).isEqualTo(200);
        assertThat(gw.get("/orders-v2/1", "X-Api-Key", key).statusCode()).isEqualTo(404);
    }

    @Test
    void aKeyMadeFromAPolicyGetsThePolicysAccessRights() throws Exception {
        assertThat(gw.admin("POST", "/apis", """
                {"api_id": "pol-api", "listen_path": "/pol-api", "target_url": "echo://", "auth": "key"}""").statusCode()).isEqualTo(201);
        assertThat(gw.admin("POST", "/policies", """
                {"id": "gold", "rate": 100, "per": 1, "access_rights": {"pol-api": {"api_id": "pol-api"}}}""").statusCode()).isEqualTo(201);
        assertThat(gw.admin("POST", "/policies", """
                {"id": "bronze", "rate": 100, "per": 1, "access_rights": {"open": {"api_id": "open"}}}""").statusCode()).isEqualTo(201);
        gw.admin("POST", "/keys/from-gold", "{\"apply_policies\": [\"gold\"]}");
        gw.admin("POST", "/keys/from-bronze", "{\"apply_policies\": [\"bronze\"]}");
        assertThat(gw.get("/pol-api/x", "Authorization", "from-gold").statusCode()).isEqualTo(200);
        assertThat(gw.get("/pol-api/x", "Authorization", "from-bronze").statusCode()).isEqualTo(403);
        // an inactive policy grants nothing
        gw.admin("PUT", "/policies/gold", """
                {"id": "gold", "active": false, "rate": 100, "per": 1, "access_rights": {"pol-api": {"api_id": "pol-api"}}}""");
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos(); // policies are cached for 1 s per node
        int status = 200;
        while (status == 200 && System.nanoTime() < deadline) {
            status = gw.get("/pol-api/x", "Authorization", "from-gold").statusCode();
            if (status == 200) Thread.sleep(100);
        }
        assertThat(status).isEqualTo(403);
        gw.admin("DELETE", "/apis/pol-api", null);
    }

    @Test
    void customKeysCanBeCreatedWithTheirName() throws Exception {
        assertThat(gw.admin("POST", "/keys/my-custom-key", "{\"access_rights\": {\"open\": {}}}").statusCode()).isEqualTo(201);
        assertThat(gw.admin("POST", "/keys/my-custom-key", "{\"access_rights\": {\"open\": {}}}").statusCode()).isEqualTo(409);
        assertThat(json(gw.admin("GET", "/keys/my-custom-key", null)).has("access_rights")).isTrue();
    }

    @Test
    void malformedOrInvalidAdminBodiesAre400NamingTheProblemAndChangeNothing() throws Exception {
        HttpResponse<String> bad = gw.admin("POST", "/apis", "{\"api_id\": \"x\", ");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).get("error").asText()).startsWith("body: not valid JSON").contains("line 1");

        HttpResponse<String> invalid = gw.admin("POST", "/apis",
                "{\"api_id\": \"x\", \"listen_path\": \"nope\", \"target_url\": \"ftp://x\"}");
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(json(invalid).get("errors")).hasSize(2);
        assertThat(json(invalid).get("error").asText())
                .contains("listen_path: \"nope\" must be a path starting with '/'")
                .contains("target_url: not a URL: \"ftp://x\"");
        JsonNode fields = json(invalid).get("field_errors");
        assertThat(fields).as("each problem with its field apart").hasSize(2);
        assertThat(fields.get(0).get("field").asText()).isEqualTo("listen_path");
        assertThat(fields.get(0).get("error").asText()).startsWith("\"nope\" must be a path starting with '/'");
        assertThat(fields.get(1).get("field").asText()).isEqualTo("target_url");
        assertThat(gw.admin("GET", "/apis/x", null).statusCode()).isEqualTo(404);

        HttpResponse<String> badKey = gw.admin("POST", "/keys", "{\"rate\": \"lots\"}");
        assertThat(badKey.statusCode()).isEqualTo(400);
        assertThat(json(badKey).get("error").asText()).startsWith("invalid session: rate: has the wrong type");
        HttpResponse<String> negative = gw.admin("POST", "/keys", "{\"rate\": 10, \"per\": 0}");
        assertThat(json(negative).get("error").asText()).isEqualTo("invalid session: per: must be > 0 when rate is set");

        HttpResponse<String> taken = gw.admin("POST", "/apis",
                "{\"api_id\": \"other\", \"listen_path\": \"/open\", \"target_url\": \"echo://\", \"auth\": \"none\"}");
        assertThat(taken.statusCode()).isEqualTo(409);
        assertThat(json(taken).get("error").asText()).isEqualTo("listen_path \"/open\" is already used by API \"open\"");
        assertThat(gw.admin("GET", "/apis/other", null).statusCode()).isEqualTo(404);
    }

    @Test
    void healthReportsTheStore() throws Exception {
        JsonNode h = json(gw.admin("GET", "/health", null));
        assertThat(h.get("status").asText()).isEqualTo("pass");
        assertThat(h.at("/storage/up").asBoolean()).isTrue();
    }

    @Test
    void metricsCountRequestsByApiAndStatusClass() throws Exception {
        gw.get("/echo/m");
        gw.get("/no-api-here");
        HttpResponse<String> m = gw.admin("GET", "/metrics", null);
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(m.body()).containsPattern("polygate_requests_total\\{api=\"builtin\",code=\"2xx\"} [1-9]")
                .containsPattern("polygate_requests_total\\{api=\"none\",code=\"4xx\"} [1-9]")
                .contains("polygate_request_duration_seconds_bucket{api=\"builtin\",method=\"GET\",status=\"200\",le=\"+Inf\"}");
        assertThat(gw.adminWithSecret("wrong", "GET", "/metrics", null).statusCode()).isEqualTo(401);
    }

    static String rawRequest(int port, String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder b = new StringBuilder();
            byte[] buf = new byte[65536];
            int n;
            // read the head, then Content-Length bytes of body
            while ((n = in.read(buf)) > 0) {
                b.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                int headEnd = b.indexOf("\r\n\r\n");
                if (headEnd >= 0) {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(b.substring(0, headEnd));
                    if (m.find() && b.length() - headEnd - 4 >= Integer.parseInt(m.group(1))) break;
                }
            }
            return b.toString();
        }
    }
}
