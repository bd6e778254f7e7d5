package io.polygate.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.testing.GatewayFixture;
import io.polygate.testing.PluginTesting;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** JavaScript (GraalJS) plugins through the real gateway; see {@link PluginGatewayContract}. */
class JsPluginGatewayIT extends PluginGatewayContract {
    @Override String lang() { return "js"; }

    @Override String samples() { return "samples/js"; }

    void awaitReady(String bundle) throws Exception {
        assertThat(PluginTesting.awaitBundles(gw.gateway(), Duration.ofMinutes(1), bundle).get(0).state()).isEqualTo("ready");
    }

    @Override
    boolean languageSpecificHeaders(JsonNode h) {
        // the Tyk JSVM-style middleware ran, with b64enc/b64dec
        return h.path("X-Jsvm").asText().equals("jsvm-ok");
    }

    @Override
    Map<String, String> extraBundles() { return Map.of("jsvm-auth", "js-jsvm-auth"); }

    @Override
    String extraApis() {
        return "  - {api_id: jsvm-auth, listen_path: /jsvm-auth, strip_listen_path: true, target_url: \"echo://\", auth: plugin, custom_middleware_bundle: jsvm-auth}\n";
    }

    @Override String profileAsString(String value) { return "string:" + value; }

    @Test
    void jsvmBodyIsAStringSentAsUtf8() throws Exception {
        HttpResponse<String> r = sendQuick("GET", "/body/x", null, "X-Body-Mode", "unicode");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode echo = GatewayFixture.json(r);
        assertThat(echo.path("body").asText()).isEqualTo("h\u00e9llo \u2713");
        assertThat(echo.path("headers").path("Content-Length").asText()).isEqualTo("10");
    }

    @Test
    void jsvmReturnDataWithChangedMetadataIsStoredBackOnTheKey() throws Exception {
        String key = "jsvm-write-back";
        assertThat(gw.admin("POST", "/keys/" + key, "{\"access_rights\": {\"sess-key\": {\"api_id\": \"sess-key\"}}, \"meta_data\": {\"tier\": \"gold\"}}")
                .statusCode()).isIn(200, 201);
        HttpResponse<String> r = sendQuick("GET", "/sess-key/x", null, "Authorization", key, "X-Write-Meta", "v1");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode stored = GatewayFixture.json(gw.admin("GET", "/keys/" + key, null)).path("meta_data");
        assertThat(stored.path("visited").asText()).isEqualTo("v1");
        assertThat(stored.path("tier").asText()).isEqualTo("gold");
        // a hook that returns the metadata unchanged stores nothing
        long updated = GatewayFixture.json(gw.admin("GET", "/keys/" + key, null)).path("last_updated").asLong();
        Thread.sleep(1100);
        assertThat(sendQuick("GET", "/sess-key/x", null, "Authorization", key).statusCode()).isEqualTo(200);
        assertThat(GatewayFixture.json(gw.admin("GET", "/keys/" + key, null)).path("last_updated").asLong()).isEqualTo(updated);
    }

    @Test
    void jsvmStyleAuthCheckAuthenticatesWithReturnAuthData() throws Exception {
        awaitReady("jsvm-auth");
        HttpResponse<String> ok = gw.get("/jsvm-auth/x", "X-Jsvm-Key", "jsvm-secret");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ok.headers().firstValue("X-RateLimit-Limit")).contains("3");
        HttpResponse<String> no = gw.get("/jsvm-auth/x", "X-Jsvm-Key", "wrong");
        assertThat(no.statusCode()).isEqualTo(401);
        assertThat(GatewayFixture.json(no).path("error").asText()).isEqualTo("jsvm says no");
    }

    @Test
    void sandboxRefusesJavaTypeLookup() throws Exception {
        assertThat(probe("java")).isEqualTo("refused: ReferenceError: Java is not defined");
    }

    @Test
    void sandboxRefusesPolyglotEval() throws Exception {
        assertThat(probe("polyglot")).isEqualTo("refused: ReferenceError: Polyglot is not defined");
    }

    @Test
    void sandboxRefusesFileLoadAndRequire() throws Exception {
        assertThat(probe("load")).startsWith("refused:");
        assertThat(probe("require")).startsWith("refused: ReferenceError");
    }
}
