package io.polygate.gateway;

import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.testing.GatewayFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Tyk Gateway API ({@code /tyk/...}) as a script written for Tyk calls it: {@code X-Tyk-Authorization},
 * Tyk's request bodies, and Tyk's answers (gateway/api.go), through a real gateway.
 */
class TykGatewayApiIT {
    static GatewayFixture gw;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayFixture.start("""
                apis:
                  - {api_id: orders, name: Orders, proxy: {listen_path: /orders/, target_url: "echo://", strip_listen_path: true}}
                """);
    }

    @AfterAll
    static void stop() {
        if (gw != null) gw.close();
    }

    /** A Tyk Gateway API call: the secret in X-Tyk-Authorization, as Tyk's clients send it. */
    static HttpResponse<String> tyk(String method, String path, String body) throws Exception {
        return tykWithSecret(GatewayFixture.SECRET, method, path, body);
    }

    static HttpResponse<String> tykWithSecret(String secret, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(gw.adminUrl(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (secret != null) b.header("x-tyk-authorization", secret);
        return gw.http().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void assertTykError(HttpResponse<String> r, int status, String message) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode n = json(r);
        assertThat(n.path("status").asText()).isEqualTo("error");
        assertThat(n.path("message").asText()).startsWith(message);
        assertThat(n.size()).as("only status and message, as Tyk's apiStatusMessage").isEqualTo(2);
    }

    /** Tyk's text, as in gateway/api.go. */
    static final String FORBIDDEN = "Attempted administrative access with invalid or missing key!";

    static final String ORDERS_KEY = "{\"org_id\": \"org1\", \"rate\": 100, \"per\": 1, \"access_rights\": {\"orders\": {\"api_id\": \"orders\", \"versions\": [\"Default\"]}}}";

    // ---- keys ----------------------------------------------------------------------------------------

    @Test
    void keysCreateGeneratesAnOrgPrefixedKeyAndAnswersAddedAsTyk() throws Exception {
        HttpResponse<String> r = tyk("POST", "/tyk/keys/create", ORDERS_KEY);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode n = json(r);
        String key = n.path("key").asText();
        assertThat(key).matches("org1[0-9a-f]{32}");
        assertThat(n.path("status").asText()).isEqualTo("ok");
        assertThat(n.path("action").asText()).isEqualTo("added");
        String hash = n.path("key_hash").asText();
        assertThat(hash).as("hash_keys is on by default: Tyk answers the key's hash too").isEqualTo(io.polygate.session.KeyHash.of(key));

        assertThat(gw.get("/orders/x", "Authorization", key).statusCode()).isEqualTo(200);
        HttpResponse<String> detail = tyk("GET", "/tyk/keys/" + key, null);
        assertThat(detail.statusCode()).isEqualTo(200);
        assertThat(json(detail).path("org_id").asText()).isEqualTo("org1");
        assertThat(json(detail).path("access_rights").has("orders")).isTrue();
        assertThat(json(tyk("GET", "/tyk/keys/" + hash + "?hashed=true", null)).path("org_id").asText()).isEqualTo("org1");
        String listed = json(tyk("GET", "/tyk/keys", null)).path("keys").toString();
        assertThat(listed).contains(hash).doesNotContain(key);
        assertThat(tyk("DELETE", "/tyk/keys/" + hash + "?hashed=true", null).statusCode()).isEqualTo(200);
        assertThat(gw.get("/orders/x", "Authorization", key).statusCode()).isEqualTo(403);
    }

    @Test
    void keysCreateRefusesAKeyWithoutAccessRightsAsTykWithoutMasterKeys() throws Exception {
        assertTykError(tyk("POST", "/tyk/keys/create", "{\"rate\": 1, \"per\": 1}"), 400,
                "Failed to create key, keys must have at least one Access Rights record set.");
    }

    @Test
    void keysCreateWithBadJsonAnswersUnmarshallingFailedWith500AsTyk() throws Exception {
        assertTykError(tyk("POST", "/tyk/keys/create", "{not json"), 500, "Unmarshalling failed: ");
        assertTykError(tyk("GET", "/tyk/keys/create", null), 405, "Method not supported");
    }

    @Test
    void keyGetAndDeleteOfAMissingKeyAnswer404WithTyksMessages() throws Exception {
        assertTykError(tyk("GET", "/tyk/keys/no-such-key", null), 404, "Key not found");
        assertTykError(tyk("DELETE", "/tyk/keys/no-such-key", null), 404, "There is no such key found");
    }

    @Test
    void keyDeleteAnswersDeletedAndTheKeyStopsWorking() throws Exception {
        String key = json(tyk("POST", "/tyk/keys/create", ORDERS_KEY)).path("key").asText();
        HttpResponse<String> r = tyk("DELETE", "/tyk/keys/" + key, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r)).isEqualTo(GatewayFixture.JSON.readTree("{\"key\":\"" + key + "\",\"status\":\"ok\",\"action\":\"deleted\"}"));
        assertThat(gw.get("/orders/x", "Authorization", key).statusCode()).isEqualTo(403);
    }

    @Test
    void keyPostWithANameCreatesOrReplacesAndPutModifiesAnExistingKeyOnly() throws Exception {
        HttpResponse<String> first = tyk("POST", "/tyk/keys/custom-key-1", ORDERS_KEY);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(json(first)).isEqualTo(GatewayFixture.JSON.readTree("{\"key\":\"custom-key-1\",\"status\":\"ok\",\"action\":\"added\",\"key_hash\":\""
                + io.polygate.session.KeyHash.of("custom-key-1") + "\"}"));
        // Tyk overwrites a key POSTed again (Polygate's own POST /keys/{key} answers 409 instead)
        assertThat(tyk("POST", "/tyk/keys/custom-key-1", ORDERS_KEY.replace("\"rate\": 100", "\"rate\": 7")).statusCode()).isEqualTo(200);
        assertThat(json(tyk("GET", "/tyk/keys/custom-key-1", null)).path("rate").asDouble()).isEqualTo(7);

        HttpResponse<String> put = tyk("PUT", "/tyk/keys/custom-key-1", ORDERS_KEY);
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(json(put).path("action").asText()).isEqualTo("modified");
        assertTykError(tyk("PUT", "/tyk/keys/custom-key-missing", ORDERS_KEY), 404, "Key is not found");
        assertTykError(tyk("POST", "/tyk/keys/custom-key-2", "[1, 2"), 400, "Request malformed: ");
        assertTykError(tyk("POST", "/tyk/keys/custom-key-2", "{\"rate\": \"fast\", \"access_rights\": {\"orders\": {}}}"), 400, "Request malformed: ");
        assertThat(tyk("GET", "/tyk/keys/custom-key-2", null).statusCode()).isEqualTo(404);
    }

    // ---- secret --------------------------------------------------------------------------------------

    @Test
    void wrongOrMissingSecretIs403WithTyksMessageWhilePolygatePathsKeep401() throws Exception {
        assertTykError(tykWithSecret("wrong", "GET", "/tyk/keys", null), 403, FORBIDDEN);
        assertTykError(tykWithSecret(null, "POST", "/tyk/keys/create", ORDERS_KEY), 403, FORBIDDEN);
        HttpResponse<String> own = gw.adminWithSecret("wrong", "GET", "/keys", null);
        assertThat(own.statusCode()).isEqualTo(401);
        assertThat(json(own).path("error").asText()).startsWith("admin secret missing or wrong");
    }

    // ---- reload --------------------------------------------------------------------------------------

    @Test
    void reloadAndGroupReloadAnswerOkWithAnEmptyMessage() throws Exception {
        for (String path : new String[] {"/tyk/reload", "/tyk/reload/", "/tyk/reload/group", "/tyk/reload?block=true"}) {
            HttpResponse<String> r = tyk("GET", path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(json(r)).isEqualTo(GatewayFixture.JSON.readTree("{\"status\":\"ok\",\"message\":\"\"}"));
        }
        assertTykError(tyk("POST", "/tyk/reload", null), 405, "Method not supported");
    }

    // ---- APIs ----------------------------------------------------------------------------------------

    @Test
    void apisCreateGetUpdateDeleteWithTyksAnswersAndTheChangeIsServedAtOnce() throws Exception {
        HttpResponse<String> created = tyk("POST", "/tyk/apis", """
                {"name": "Invoices", "use_keyless": true, "active": true,
                 "proxy": {"listen_path": "/invoices/", "target_url": "echo://", "strip_listen_path": true}}""");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        String id = json(created).path("key").asText();
        assertThat(id).as("Tyk generates an api_id when the definition has none").matches("[0-9a-f]{32}");
        assertThat(json(created).path("action").asText()).isEqualTo("added");
        assertThat(json(created).path("status").asText()).isEqualTo("ok");
        assertThat(gw.get("/invoices/x").statusCode()).isEqualTo(200);

        JsonNode def = json(tyk("GET", "/tyk/apis/" + id, null));
        assertThat(def.path("api_id").asText()).isEqualTo(id);
        assertThat(def.path("proxy").path("listen_path").asText()).isEqualTo("/invoices/");
        JsonNode list = json(tyk("GET", "/tyk/apis", null));
        assertThat(list.isArray()).isTrue();
        assertThat(list.findValuesAsText("api_id")).contains(id, "orders");

        assertTykError(tyk("PUT", "/tyk/apis/" + id, "{\"api_id\": \"other\", \"proxy\": {\"listen_path\": \"/invoices/\", \"target_url\": \"echo://\"}}"),
                400, "Request APIID does not match that in Definition! For Update operations these must match.");
        HttpResponse<String> updated = tyk("PUT", "/tyk/apis/" + id, """
                {"api_id": "%s", "use_keyless": true, "proxy": {"listen_path": "/invoices-v2/", "target_url": "echo://"}}""".formatted(id));
        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
        assertThat(json(updated).path("action").asText()).isEqualTo("modified");
        assertThat(gw.get("/invoices-v2/x").statusCode()).isEqualTo(200);
        assertThat(gw.get("/invoices/x").statusCode()).isEqualTo(404);

        HttpResponse<String> deleted = tyk("DELETE", "/tyk/apis/" + id, null);
        assertThat(json(deleted)).isEqualTo(GatewayFixture.JSON.readTree("{\"key\":\"" + id + "\",\"status\":\"ok\",\"action\":\"deleted\"}"));
        assertThat(gw.get("/invoices-v2/x").statusCode()).isEqualTo(404);
        assertTykError(tyk("GET", "/tyk/apis/" + id, null), 404, "API not found");
        assertTykError(tyk("DELETE", "/tyk/apis/" + id, null), 404, "API not found");
        assertTykError(tyk("PUT", "/tyk/apis/" + id, "{}"), 404, "API not found");
    }

    @Test
    void apisCreateWithBadJsonOrAnInvalidDefinitionIs400AndChangesNothing() throws Exception {
        assertTykError(tyk("POST", "/tyk/apis", "{\"api_id\": "), 400, "Request malformed: ");
        HttpResponse<String> invalid = tyk("POST", "/tyk/apis", "{\"api_id\": \"bad\", \"proxy\": {\"listen_path\": \"nope\", \"target_url\": \"ftp://x\"}}");
        assertTykError(invalid, 400, "invalid API definition: ");
        assertThat(json(invalid).path("message").asText()).contains("listen_path", "target_url");
        assertThat(tyk("GET", "/tyk/apis/bad", null).statusCode()).isEqualTo(404);
    }

    // ---- policies ------------------------------------------------------------------------------------

    @Test
    void policiesCreateListGetUpdateDeleteWithTyksAnswers() throws Exception {
        String gold = "{\"id\": \"tyk-gold\", \"rate\": 100, \"per\": 1, \"access_rights\": {\"orders\": {\"api_id\": \"orders\"}}}";
        HttpResponse<String> created = tyk("POST", "/tyk/policies", gold);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        assertThat(json(created)).isEqualTo(GatewayFixture.JSON.readTree("{\"key\":\"tyk-gold\",\"status\":\"ok\",\"action\":\"added\"}"));
        JsonNode list = json(tyk("GET", "/tyk/policies", null));
        assertThat(list.isArray()).as("Tyk lists the policies themselves").isTrue();
        assertThat(list.findValuesAsText("id")).contains("tyk-gold");
        assertThat(json(tyk("GET", "/tyk/policies/tyk-gold", null)).path("rate").asDouble()).isEqualTo(100);

        // a key applying the policy gets its access rights
        String key = json(tyk("POST", "/tyk/keys/create", "{\"apply_policies\": [\"tyk-gold\"]}")).path("key").asText();
        assertThat(gw.get("/orders/x", "Authorization", key).statusCode()).isEqualTo(200);

        assertTykError(tyk("PUT", "/tyk/policies/tyk-gold", gold.replace("tyk-gold", "tyk-silver")), 400,
                "Request ID does not match that in policy! For Update operations these must match.");
        HttpResponse<String> updated = tyk("PUT", "/tyk/policies/tyk-gold", gold.replace("100", "50"));
        assertThat(json(updated).path("action").asText()).isEqualTo("modified");
        assertThat(json(tyk("GET", "/tyk/policies/tyk-gold", null)).path("rate").asDouble()).isEqualTo(50);
        assertTykError(tyk("POST", "/tyk/policies", "{\"id\": \"x\", \"rate\": -1}"), 400, "Request malformed: ");

        assertThat(json(tyk("DELETE", "/tyk/policies/tyk-gold", null)).path("action").asText()).isEqualTo("deleted");
        assertTykError(tyk("GET", "/tyk/policies/tyk-gold", null), 404, "Policy not found");
        assertTykError(tyk("DELETE", "/tyk/policies/tyk-gold", null), 500, "Delete failed");
    }

    @Test
    void unknownTykPathIs404InTyksShape() throws Exception {
        assertTykError(tyk("GET", "/tyk/nothing-here", null), 404, "no admin endpoint GET /tyk/nothing-here");
    }
}
