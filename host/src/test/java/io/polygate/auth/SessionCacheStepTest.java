package io.polygate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Pattern;
import io.polygate.chain.Exchange;
import io.polygate.sdk.manifest.IdExtractorSpec;
import io.polygate.sdk.manifest.IdExtractorSpec.From;
import io.polygate.sdk.manifest.IdExtractorSpec.With;
import io.polygate.session.Session;
import io.polygate.session.SessionCache;
import io.polygate.testing.GatewayFixture;
import io.polygate.testing.ManualClock;
import io.polygate.testing.StepKit;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.eclipse.jetty.http.HttpTester;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The id extractor and the session cache on real Jetty requests: which id a request has, and when its cached session is used. */
class SessionCacheStepTest {
    static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    final ManualClock clock = new ManualClock(NOW);
    final SessionCache cache = new SessionCache();
    StepKit kit;

    @AfterEach
    void close() throws Exception { kit.close(); }

    StepKit kit(IdExtractorSpec spec) throws Exception {
        kit = StepKit.of(new SessionCacheStep("orders", new IdExtractor(spec), cache, clock));
        return kit;
    }

    /** What an auth_check built for {@code id}, cached for 60 s. */
    void cached(String id, String token) {
        Session s = new Session();
        s.id_extractor_deadline = NOW.getEpochSecond() + 60;
        cache.put("orders", id, token, s, NOW.getEpochSecond(), Set.of(), cache.mark());
    }

    @Test
    void aQueryParameterWithABrokenEscapeIsNoIdAndTheRequestGoesOn() throws Exception {
        kit(new IdExtractorSpec(From.QUERYSTRING, With.VALUE, "user", null, 0, null));

        assertThat(kit.get("/?user=%zz&x=1").getStatus()).isEqualTo(200);
        assertThat(kit.reachedUpstream().extractedId()).isNull();
        assertThat(kit.get("/?x=%&user=bob").getStatus()).isEqualTo(200);
        assertThat(kit.reachedUpstream().extractedId()).as("the other pairs are read").isEqualTo("bob");
    }

    @Test
    void idFromAHeaderAuthenticatesWithTheCachedSessionUntilItsDeadline() throws Exception {
        cached("alice", "token-alice");
        kit(new IdExtractorSpec(From.HEADER, With.VALUE, "X-User", null, 0, null));

        assertThat(kit.get("/", "X-User", "alice").getStatus()).isEqualTo(200);
        Exchange seen = kit.reachedUpstream();
        assertThat(seen.extractedId()).isEqualTo("alice");
        assertThat(seen.keyId()).isEqualTo("token-alice");

        kit.get("/", "X-User", "bob");
        assertThat(kit.reachedUpstream().extractedId()).isEqualTo("bob");
        assertThat(kit.reachedUpstream().session()).as("nothing cached for bob: the auth hook would run").isNull();

        kit.get("/");
        assertThat(kit.reachedUpstream().extractedId()).isNull();

        clock.advance(Duration.ofSeconds(60));
        kit.get("/", "X-User", "alice");
        assertThat(kit.reachedUpstream().extractedId()).isEqualTo("alice");
        assertThat(kit.reachedUpstream().session()).as("past id_extractor_deadline").isNull();
    }

    @Test
    void regexTakesTheConfiguredGroupOfTheHeader() throws Exception {
        kit(new IdExtractorSpec(From.HEADER, With.REGEX, "Authorization", Pattern.compile("Bearer (\\w+)\\.(\\w+)"), 2, null));
        kit.get("/", "Authorization", "Bearer org1.alice");
        assertThat(kit.reachedUpstream().extractedId()).isEqualTo("alice");
        kit.get("/", "Authorization", "Basic xyz");
        assertThat(kit.reachedUpstream().extractedId()).isNull();
    }

    @Test
    void idFromAFormBodyLeavesTheBodyForTheUpstream() throws Exception {
        cached("alice", "token-alice");
        kit(new IdExtractorSpec(From.FORM, With.VALUE, "user", null, 0, null));
        String body = "user=alice&item=42";
        HttpTester.Response r = kit.send("POST /orders HTTP/1.1\r\nHost: local\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body);
        assertThat(r.getStatus()).isEqualTo(200);
        assertThat(kit.reachedUpstream().keyId()).isEqualTo("token-alice");
        JsonNode echoed = GatewayFixture.JSON.readTree(r.getContent());
        assertThat(echoed.get("body").asText()).isEqualTo(body);
        assertThat(echoed.get("body_bytes").asLong()).isEqualTo(body.length());
    }
}
