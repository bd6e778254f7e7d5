package io.polygate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.GatewayFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which admin path answers which method, through a real gateway: the exact answers to unknown
 * paths (404), methods a path does not take (405, Tyk's wording on the Tyk paths), a trailing
 * {@code /}, a wrong secret, and the errors the stores and the API registry refuse changes with.
 */
class AdminRoutesIT {
    static GatewayFixture gw;

    @BeforeAll
    static void start() throws Exception {
        Path tmp = Files.createTempDirectory("polygate-admin-routes");
        Files.createDirectories(tmp.resolve("bundles"));
        gw = GatewayFixture.start("""
                bundles_dir: bundles
                apis:
                  - {api_id: orders, name: Orders, proxy: {listen_path: /orders/, target_url: "echo://"}}
                """, tmp);
    }

    @AfterAll
    static void stop() {
        if (gw != null) gw.close();
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            GET    | /                     | 404 | {"error":"no admin endpoint GET /","status":404}
            GET    | /nothing/             | 404 | {"error":"no admin endpoint GET /nothing","status":404}
            POST   | /health               | 404 | {"error":"no admin endpoint POST /health","status":404}
            POST   | /metrics              | 404 | {"error":"no admin endpoint POST /metrics","status":404}
            GET    | /limits               | 404 | {"error":"no admin endpoint GET /limits","status":404}
            GET    | /keys/k1/x            | 404 | {"error":"no admin endpoint GET /keys/****/x","status":404}
            GET    | /bundles/b/x          | 404 | {"error":"no admin endpoint GET /bundles/b/x","status":404}
            GET    | /reload/x             | 404 | {"error":"no admin endpoint GET /reload/x","status":404}
            PUT    | /keys                 | 405 | {"error":"method PUT not allowed here (allowed: GET, POST)","status":405}
            PATCH  | /keys/k1              | 405 | {"error":"method PATCH not allowed here (allowed: GET, POST, PUT, DELETE)","status":405}
            POST   | /apis/orders          | 405 | {"error":"method POST not allowed here (allowed: GET, PUT, DELETE)","status":405}
            DELETE | /policies             | 405 | {"error":"method DELETE not allowed here (allowed: GET, POST)","status":405}
            POST   | /limits/stats         | 405 | {"error":"method POST not allowed here (allowed: GET)","status":405}
            PUT    | /bundles/b.zip        | 405 | {"error":"method PUT not allowed here (allowed: GET, DELETE)","status":405}
            GET    | /bundles/reload       | 405 | {"error":"method GET not allowed here (allowed: POST)","status":405}
            GET    | /bundles/b/reload     | 405 | {"error":"method GET not allowed here (allowed: POST)","status":405}
            GET    | /reload/              | 405 | {"error":"method GET not allowed here (allowed: POST)","status":405}
            GET    | /keys/k1/             | 404 | {"error":"no key \\"****\\"","status":404}
            GET    | /apis/nope/           | 404 | {"error":"no API \\"nope\\"","status":404}
            GET    | /bundles/nb.zip       | 404 | {"error":"no bundle \\"nb\\"","status":404}
            GET    | /tyk                  | 404 | {"status":"error","message":"no admin endpoint GET /tyk"}
            GET    | /tyk/keys/k1/x        | 404 | {"status":"error","message":"no admin endpoint GET /tyk/keys/****/x"}
            GET    | /tyk/reload/other     | 404 | {"status":"error","message":"no admin endpoint GET /tyk/reload/other"}
            PUT    | /tyk/keys             | 405 | {"status":"error","message":"Method not supported"}
            GET    | /tyk/keys/create      | 405 | {"status":"error","message":"Method not supported"}
            PATCH  | /tyk/apis/orders      | 405 | {"status":"error","message":"Method not supported"}
            POST   | /tyk/reload/group/    | 405 | {"status":"error","message":"Method not supported"}
            GET    | /tyk/keys/k1/         | 404 | {"status":"error","message":"Key not found"}
            """)
    void answersEachPathAndMethodAsDocumented(String method, String path, int status, String body) throws Exception {
        assertAnswer(gw.admin(method, path, null), status, body);
    }

    @Test
    void aTrailingSlashNamesTheSamePath() throws Exception {
        assertThat(gw.admin("GET", "/keys/", null).body()).isEqualTo("{\"keys\":[]}");
        HttpResponse<String> metrics = gw.admin("GET", "/metrics/", null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    }

    @Test
    void aWrongSecretIs401OrTyks403BeforeAnyPathIsLookedAt() throws Exception {
        assertAnswer(gw.adminWithSecret("wrong", "GET", "/nothing", null), 401,
                "{\"error\":\"admin secret missing or wrong (send it in X-Polygate-Secret)\",\"status\":401}");
        assertAnswer(gw.adminWithSecret(null, "PUT", "/tyk/", null), 403,
                "{\"status\":\"error\",\"message\":\"Attempted administrative access with invalid or missing key!\"}");
    }

    @Test
    void refusedChangesAnswerWithTheStatusTheRegistryAndTheBundleStoreName() throws Exception {
        String sameListenPath = "{\"api_id\": \"%s\", \"name\": \"O\", \"proxy\": {\"listen_path\": \"/orders/\", \"target_url\": \"echo://\"}}";
        assertAnswer(gw.admin("POST", "/apis", sameListenPath.formatted("o2")), 409,
                "{\"error\":\"listen_path \\\"/orders\\\" is already used by API \\\"orders\\\"\",\"status\":409}");
        assertAnswer(tyk("POST", "/tyk/apis", sameListenPath.formatted("o3")), 409,
                "{\"status\":\"error\",\"message\":\"listen_path \\\"/orders\\\" is already used by API \\\"orders\\\"\"}");
        assertAnswer(gw.admin("PUT", "/apis/none", "{\"name\": \"N\", \"proxy\": {\"listen_path\": \"/n/\", \"target_url\": \"echo://\"}}"), 404,
                "{\"error\":\"no API \\\"none\\\"\",\"status\":404}");
        assertAnswer(gw.admin("POST", "/bundles?name=b1", "notazip"), 400,
                "{\"error\":\"bundle \\\"b1\\\": not a valid zip file (too short)\",\"status\":400}");
        assertAnswer(gw.admin("DELETE", "/bundles/.b9", null), 400,
                "{\"error\":\"name: \\\".b9\\\" is not a valid bundle name (1..100 letters, digits, . _ -, not starting with . and not ending in .zip)\",\"status\":400}");
    }

    private static HttpResponse<String> tyk(String method, String path, String body) throws Exception {
        return gw.http().send(HttpRequest.newBuilder(gw.adminUrl(path)).timeout(Duration.ofSeconds(30))
                .header("X-Tyk-Authorization", GatewayFixture.SECRET)
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertAnswer(HttpResponse<String> r, int status, String body) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.body()).isEqualTo(body);
    }
}
