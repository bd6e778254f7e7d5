package io.polygate.gateway;

import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.session.KeyHash;
import io.polygate.testing.GatewayFixture;
import io.polygate.testing.PluginTesting;
import io.polygate.testing.RedisServer;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@code hash_keys} (on by default) against a real redis-server: keys are stored, listed and
 * counted by their SHA-256, shown once at creation, never logged; {@code hash_keys: false} keeps
 * them in plain text as before.
 */
class KeyHashingIT {
    static RedisServer redis;
    GatewayFixture gw;

    @BeforeAll
    static void startRedis() { redis = RedisServer.start(); }

    @AfterAll
    static void stopRedis() {
        if (redis != null) redis.close();
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
        redis.flushAll();
    }

    static String config(String hashKeys) {
        return """
                %s
                storage: {type: redis, redis_uri: "%s"}
                apis:
                  - {api_id: orders, listen_path: /orders/, target_url: "echo://", auth: {type: key, header_name: X-Api-Key}}
                """.formatted(hashKeys, redis.uri());
    }

    static final String SESSION = "{\"rate\": 100, \"per\": 60, \"quota_max\": 50, \"quota_renewal_rate\": 3600, "
            + "\"access_rights\": {\"orders\": {\"api_id\": \"orders\"}}}";

    @Test
    void aKeyIsStoredListedAndCountedByItsHashAndNeverLogged() throws Exception {
        ListAppender<ILoggingEvent> log = PluginTesting.captureLog("io.polygate");
        try {
            gw = GatewayFixture.start(config(""));
            HttpResponse<String> created = gw.admin("POST", "/keys", SESSION);
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String key = json(created).path("key").asText();
            String hash = json(created).path("key_hash").asText();
            assertThat(hash).isEqualTo(KeyHash.of(key)).matches("[0-9a-f]{64}");

            assertThat(gw.get("/orders/a", "X-Api-Key", key).statusCode()).isEqualTo(200);
            assertThat(gw.get("/orders/a", "X-Api-Key", hash).statusCode()).as("the hash is no credential").isEqualTo(403);
            assertThat(json(gw.admin("GET", "/keys", null)).path("keys").toString()).isEqualTo("[\"" + hash + "\"]");
            assertThat(json(gw.admin("GET", "/keys/" + key, null)).path("quota_remaining").asLong()).isEqualTo(49);
            assertThat(json(gw.admin("GET", "/keys/" + hash + "?hashed=true", null)).path("quota_remaining").asLong()).isEqualTo(49);
            assertThat(gw.admin("GET", "/keys/" + hash, null).statusCode()).as("without hashed=true the path is a key").isEqualTo(404);
            // lines that would carry the key: a refused admin call and an unknown admin path naming it
            assertThat(gw.adminWithSecret("wrong", "GET", "/keys/" + key, null).statusCode()).isEqualTo(401);
            assertThat(gw.admin("GET", "/keys/" + key + "/more", null).body()).doesNotContain(key).contains("****" + key.substring(key.length() - 4));

            List<String> names = replyLines(redis.command("KEYS", "*"));
            assertThat(names).contains("apikey-" + hash).as("counters by the hash").anyMatch(n -> n.contains(hash) && !n.startsWith("apikey-"));
            for (String name : names) {
                assertThat(name).doesNotContain(key);
                assertThat(valueOf(name)).as(name).doesNotContain(key);
            }

            assertThat(gw.admin("DELETE", "/keys/" + key, null).statusCode()).isEqualTo(200);
            assertThat(gw.get("/orders/a", "X-Api-Key", key).statusCode()).isEqualTo(403);
            assertThat(gw.admin("POST", "/keys/my-own-key", SESSION).statusCode()).isEqualTo(201);
            assertThat(gw.admin("DELETE", "/keys/" + KeyHash.of("my-own-key") + "?hashed=true", null).statusCode()).isEqualTo(200);
            assertThat(gw.get("/orders/a", "X-Api-Key", "my-own-key").statusCode()).isEqualTo(403);

            assertThat(logText(log)).contains("****" + key.substring(key.length() - 4)).doesNotContain(key);
        } finally {
            ((Logger) LoggerFactory.getLogger("io.polygate")).detachAppender(log);
        }
    }

    @Test
    void withHashKeysOffKeysAreStoredAndListedAsTheyAre() throws Exception {
        gw = GatewayFixture.start(config("hash_keys: false"));
        HttpResponse<String> created = gw.admin("POST", "/keys/plain-key-1", SESSION);
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(json(created).has("key_hash")).as("as Tyk with hash_keys off").isFalse();
        assertThat(gw.get("/orders/a", "X-Api-Key", "plain-key-1").statusCode()).isEqualTo(200);
        assertThat(redis.command("EXISTS", "apikey-plain-key-1").trim()).isEqualTo(":1");
        assertThat(json(gw.admin("GET", "/keys", null)).path("keys").toString()).isEqualTo("[\"plain-key-1\"]");
        assertThat(gw.admin("DELETE", "/keys/plain-key-1", null).statusCode()).isEqualTo(200);
    }

    @Test
    void repeatedWrongAdminSecretsFromAnAddressAreRefusedWith429ForAWhile() throws Exception {
        gw = GatewayFixture.start(config(""));
        for (int i = 0; i < 4; i++) assertThat(gw.adminWithSecret("guess-" + i, "GET", "/keys", null).statusCode()).isEqualTo(401);
        for (int i = 0; i < 3; i++) assertThat(gw.adminWithSecret(null, "GET", "/health", null).statusCode()).as("a missing secret is not a guess").isEqualTo(401);
        assertThat(gw.adminWithSecret("guess-5", "GET", "/keys", null).statusCode()).isEqualTo(401);
        HttpResponse<String> limited = gw.adminWithSecret("guess-6", "GET", "/keys", null);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
        assertThat(json(limited).path("error").asText()).startsWith("too many failed admin authentications");
        assertThat(gw.admin("GET", "/keys", null).statusCode()).as("even the right secret: its answer would tell a guess").isEqualTo(429);
        JsonNode tyk = json(gw.adminWithSecret(GatewayFixture.SECRET, "GET", "/tyk/keys", null));
        assertThat(tyk.path("status").asText()).isEqualTo("error");
    }

    /** The values (or members and scores) of a Redis key, whatever its type. */
    private static String valueOf(String name) throws Exception {
        String type = redis.command("TYPE", name).trim();
        return switch (type) {
            case "+string" -> redis.command("GET", name);
            case "+hash" -> redis.command("HGETALL", name);
            case "+zset" -> redis.command("ZRANGE", name, "0", "-1", "WITHSCORES");
            case "+list" -> redis.command("LRANGE", name, "0", "-1");
            case "+set" -> redis.command("SMEMBERS", name);
            default -> throw new AssertionError(name + " has an unexpected type " + type);
        };
    }

    /** The strings of a raw RESP array reply. */
    private static List<String> replyLines(String reply) {
        List<String> out = new ArrayList<>();
        for (String line : reply.split("\r\n")) if (!line.isEmpty() && line.charAt(0) != '*' && line.charAt(0) != '$') out.add(line);
        return out;
    }

    private static String logText(ListAppender<ILoggingEvent> log) {
        StringBuilder out = new StringBuilder();
        synchronized (log.list) {
            for (ILoggingEvent e : log.list) {
                out.append(e.getFormattedMessage()).append('\n');
                if (e.getThrowableProxy() != null) out.append(ThrowableProxyUtil.asString(e.getThrowableProxy())).append('\n');
            }
        }
        return out.toString();
    }
}
