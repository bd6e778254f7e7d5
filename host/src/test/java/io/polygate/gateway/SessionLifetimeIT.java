package io.polygate.gateway;

import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.GatewayFixture;
import io.polygate.testing.RedisServer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An API's {@code session_lifetime} (Tyk's API-level key lifetime): the stored session of a key
 * for that API is gone from the store that many seconds after it was written, with either store.
 */
class SessionLifetimeIT {
    static RedisServer redis;

    @BeforeAll
    static void startRedis() { redis = RedisServer.start(); }

    @AfterAll
    static void stopRedis() {
        if (redis != null) redis.close();
    }

    static GatewayFixture gateway(String store) throws Exception {
        String storage = store.equals("redis") ? "{type: redis, redis_uri: \"" + redis.uri() + "\"}" : "{type: memory}";
        return GatewayFixture.start("""
                storage: %s
                apis:
                  - {api_id: short, listen_path: /short, target_url: "echo://", session_lifetime: 1}
                  - {api_id: kept, listen_path: /kept, target_url: "echo://"}
                """.formatted(storage));
    }

    @ParameterizedTest(name = "{0} store")
    @ValueSource(strings = {"memory", "redis"})
    void aKeyOfAnApiWithASessionLifetimeIsGoneFromTheStoreAfterIt(String store) throws Exception {
        try (GatewayFixture gw = gateway(store)) {
            Instant created = Instant.now();
            assertThat(gw.admin("POST", "/keys/short-key", "{\"access_rights\": {\"short\": {}}}").statusCode()).isEqualTo(201);
            assertThat(gw.admin("POST", "/tyk/keys/tyk-short-key", "{\"access_rights\": {\"short\": {}}}").statusCode()).isEqualTo(200);
            assertThat(gw.admin("POST", "/keys/kept-key", "{\"access_rights\": {\"kept\": {}}}").statusCode()).isEqualTo(201);
            assertThat(gw.get("/short/x", "Authorization", "short-key").statusCode()).isEqualTo(200);

            awaitGone(gw, "short-key");
            awaitGone(gw, "tyk-short-key");
            assertThat(Duration.between(created, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(900));
            var refused = gw.get("/short/x", "Authorization", "short-key");
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(json(refused).get("error").asText()).isEqualTo("Access to this API has been disallowed");
            assertThat(gw.admin("GET", "/keys/kept-key", null).statusCode()).isEqualTo(200);
            assertThat(gw.get("/kept/x", "Authorization", "kept-key").statusCode()).isEqualTo(200);
        }
    }

    @ParameterizedTest(name = "{0} store")
    @ValueSource(strings = {"memory", "redis"})
    void expiresStillAnswersWhileTheKeyIsStored(String store) throws Exception {
        try (GatewayFixture gw = gateway(store)) {
            long past = Instant.now().getEpochSecond() - 10;
            gw.admin("POST", "/keys/expired-key", "{\"expires\": " + past + ", \"access_rights\": {\"short\": {}}}");
            var expired = gw.get("/short/x", "Authorization", "expired-key");
            assertThat(expired.statusCode()).isEqualTo(403);
            assertThat(json(expired).get("error").asText()).isEqualTo("Key has expired, please renew");
            awaitGone(gw, "expired-key");
        }
    }

    /** Polls the admin API until the key is gone (404); fails after 10 s. */
    private static void awaitGone(GatewayFixture gw, String key) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (gw.admin("GET", "/keys/" + key, null).statusCode() != 404) {
            assertThat(System.nanoTime() - deadline).as("key " + key + " still stored after 10 s").isNegative();
            Thread.sleep(50);
        }
    }
}
