package io.polygate.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.config.ConfigErrors;
import io.polygate.plugin.HookJson;
import io.polygate.plugin.SessionChanges;
import io.polygate.storage.memory.MemoryStore;
import io.polygate.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionStoreTest {
    /** Tyk's session JSON as Tyk, Python and JS write it: floats for rate/per and for integer fields too. */
    private static final String FLOATS = """
            {"rate": 10.0, "per": 1.5, "allowance": 10.0, "quota_max": 100.0, "quota_remaining": 99.0,
             "quota_renewal_rate": 3600.0, "expires": 1.9e9, "throttle_interval": 2.7, "session_lifetime": null,
             "access_rights": {"orders": {"api_id": "orders", "versions": ["Default"]}}, "tags": ["t"]}""";

    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final MemoryStore store = new MemoryStore(clock);
    private final Map<String, Long> lifetimes = Map.of("orders", 60L, "billing", 600L, "open", 0L);
    private final SessionStore keys = new SessionStore(store, api -> lifetimes.getOrDefault(api, -1L));

    @Test
    void aSessionWithFloatsReadsTheSameFromTheStoreAndFromAHookAndRoundTrips() {
        store.set(SessionStore.PREFIX + "k", FLOATS, null);
        Session fromStore = keys.find("k");
        Session fromHook = SessionChanges.toSession(HookJson.read(FLOATS));
        ConfigErrors errors = new ConfigErrors();
        Session fromAdmin = SessionStore.parse(FLOATS, errors);

        assertThat(errors.list()).isEmpty();
        assertThat(fromStore.rate).isEqualTo(10.0);
        assertThat(fromStore.per).isEqualTo(1.5);
        assertThat(fromStore.quota_max).isEqualTo(100);
        assertThat(fromStore.expires).isEqualTo(1_900_000_000L);
        assertThat(fromStore.throttle_interval).as("the fraction of an integer field is dropped").isEqualTo(2);
        assertThat(fromStore.session_lifetime).as("null leaves the default").isZero();
        String json = SessionStore.toJson(fromStore);
        assertThat(SessionStore.toJson(fromHook)).isEqualTo(json);
        assertThat(SessionStore.toJson(fromAdmin)).isEqualTo(json);

        keys.save("k", fromHook);
        Session again = SessionChanges.toSession(HookJson.read(SessionStore.toJson(keys.find("k"))));
        again.last_updated = fromHook.last_updated;
        assertThat(SessionStore.toJson(again)).isEqualTo(SessionStore.toJson(fromHook));
    }

    @Test
    void nullLeavesTheDefaultFromTheStoreAndFromAHook() {
        String nulls = "{\"quota_max\": null, \"rate\": null, \"access_rights\": null}";
        store.set(SessionStore.PREFIX + "k", nulls, null);
        for (Session s : new Session[] {keys.find("k"), SessionChanges.toSession(HookJson.read(nulls))}) {
            assertThat(s.quota_max).isEqualTo(-1);
            assertThat(s.rate).isZero();
            assertThat(s.access_rights).isEmpty();
        }
    }

    @Test
    void aKeysRateLimitPatternIsCheckedAsAPolicysIs() {
        ConfigErrors errors = new ConfigErrors();
        assertThat(SessionStore.parse("{\"meta_data\": {\"rate_limit_pattern\": \"$tyk_meta.DeveloperID|$ip\"}}", errors)).isNotNull();
        assertThat(SessionStore.parse("{\"meta_data\": {\"rate_limit_pattern\": \"$headers.|$ip\"}}", errors)).isNull();
        assertThat(SessionStore.parse("{\"meta_data\": {\"rate_limit_pattern\": 7}}", errors)).isNull();
        assertThat(errors.list()).containsExactly(
                "meta_data.rate_limit_pattern: \"$headers.\" needs a name after the dot (e.g. \"$headers.id\")",
                "meta_data.rate_limit_pattern: must be a string");
    }

    @Test
    void aKeyLivesForTheSessionLifetimeOfItsApi() {
        keys.create("k", session("orders"));
        clock.advance(Duration.ofSeconds(59));
        assertThat(keys.exists("k")).isTrue();
        clock.advance(Duration.ofSeconds(1));
        assertThat(keys.exists("k")).isFalse();
    }

    @Test
    void theSessionsOwnLifetimeWinsOverTheApis() {
        Session s = session("orders");
        s.session_lifetime = 5;
        keys.save("k", s);
        clock.advance(Duration.ofSeconds(5));
        assertThat(keys.exists("k")).isFalse();
    }

    @Test
    void withSeveralApisTheLongestLifetimeCountsAndAnApiWithoutOneKeepsTheKey() {
        keys.save("two", session("orders", "billing", "no-such-api"));
        keys.save("kept", session("orders", "open"));
        clock.advance(Duration.ofSeconds(61));
        assertThat(keys.exists("two")).isTrue();
        assertThat(keys.exists("kept")).isTrue();
        clock.advance(Duration.ofSeconds(540));
        assertThat(keys.exists("two")).isFalse();
        assertThat(keys.exists("kept")).isTrue();
    }

    @Test
    void aSessionWrittenOnARequestTakesThatApisLifetime() {
        assertThat(keys.save("t", new Session(), "orders")).isEqualTo(Duration.ofSeconds(60));
        assertThat(keys.save("u", new Session(), "open")).isNull();
        clock.advance(Duration.ofSeconds(60));
        assertThat(keys.exists("t")).isFalse();
        assertThat(keys.exists("u")).isTrue();
    }

    private static Session session(String... apis) {
        Session s = new Session();
        for (String api : apis) s.access_rights.put(api, new Session.AccessDefinition());
        return s;
    }
}
