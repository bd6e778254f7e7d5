package io.polygate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.config.ConfigErrors;
import io.polygate.session.Session;
import io.polygate.session.SessionStore;
import io.polygate.storage.memory.MemoryStore;
import io.polygate.testing.GatewayFixture;
import io.polygate.testing.ManualClock;
import io.polygate.testing.StepKit;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.jetty.http.HttpTester;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Built-in key auth on real Jetty requests: what a caller without, with a wrong and with a good key gets. */
class KeyAuthStepTest {
    static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    final ManualClock clock = new ManualClock(NOW);
    final SessionStore sessions = new SessionStore(new MemoryStore(clock));
    StepKit kit;

    @AfterEach
    void close() throws Exception { kit.close(); }

    StepKit kit(String header) throws Exception {
        kit = StepKit.of(new KeyAuthStep("orders", header, sessions, clock, null));
        return kit;
    }

    void key(String key, String sessionJson) {
        ConfigErrors errors = new ConfigErrors();
        Session s = SessionStore.parse(sessionJson, errors);
        assertThat(errors.list()).isEmpty();
        sessions.save(sessions.id(key), s);
    }

    static JsonNode json(HttpTester.Response r) throws Exception {
        assertThat(r.get("Content-Type")).isEqualTo("application/json");
        return GatewayFixture.JSON.readTree(r.getContent());
    }

    static void assertError(HttpTester.Response r, int status, String message) throws Exception {
        assertThat(r.getStatus()).isEqualTo(status);
        JsonNode body = json(r);
        assertThat(body.get("error").asText()).isEqualTo(message);
        assertThat(body.get("status").asInt()).isEqualTo(status);
    }

    @Test
    void missingKeyIs401AndNeverReachesTheUpstream() throws Exception {
        HttpTester.Response r = kit("Authorization").get("/orders/1");
        assertError(r, 401, "Authorization field missing");
        assertThat(kit.reachedUpstream()).isNull();
        // a blank value is no key either
        assertError(kit.get("/orders/1", "Authorization", " "), 401, "Authorization field missing");
    }

    @Test
    void unknownKeyIs403() throws Exception {
        assertError(kit("Authorization").get("/orders/1", "Authorization", "nope"), 403, "Access to this API has been disallowed");
        assertThat(kit.reachedUpstream()).isNull();
    }

    @Test
    void validKeyAuthenticatesTheExchangeAndReachesTheUpstream() throws Exception {
        key("k-alice", "{\"access_rights\": {\"orders\": {\"api_id\": \"orders\"}}, \"meta_data\": {\"user\": \"alice\"}}");
        HttpTester.Response r = kit("X-Api-Key").get("/orders/1?x=1", "X-Api-Key", "Bearer k-alice");
        assertThat(r.getStatus()).isEqualTo(200);
        JsonNode echoed = json(r);
        assertThat(echoed.get("path").asText()).isEqualTo("/orders/1");
        assertThat(echoed.get("query").asText()).isEqualTo("x=1");
        assertThat(echoed.get("headers").get("X-Api-Key").asText()).isEqualTo("Bearer k-alice");
        assertThat(kit.reachedUpstream().keyId()).as("the key's id: its hash").isEqualTo(io.polygate.session.KeyHash.of("k-alice"));
        assertThat(kit.reachedUpstream().session().meta_data).containsEntry("user", "alice");
    }

    @Test
    void keysThatMayNotCallNowAre403WithTyksReason() throws Exception {
        kit("Authorization");
        key("other-api", "{\"access_rights\": {\"billing\": {}}}");
        key("inactive", "{\"access_rights\": {\"orders\": {}}, \"is_inactive\": true}");
        key("expired", "{\"access_rights\": {\"orders\": {}}, \"expires\": " + NOW.getEpochSecond() + "}");
        key("expires-later", "{\"access_rights\": {\"orders\": {}}, \"expires\": " + (NOW.getEpochSecond() + 60) + "}");
        assertError(kit.get("/", "Authorization", "other-api"), 403, "Access to this API has been disallowed");
        assertError(kit.get("/", "Authorization", "inactive"), 403, "Key is inactive, please renew");
        assertError(kit.get("/", "Authorization", "expired"), 403, "Key has expired, please renew");
        assertThat(kit.reachedUpstream()).isNull();
        assertThat(kit.get("/", "Authorization", "expires-later").getStatus()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(60));
        assertError(kit.get("/", "Authorization", "expires-later"), 403, "Key has expired, please renew");
    }
}
