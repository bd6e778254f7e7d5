package io.polygate.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.plugin.HookJson;
import io.polygate.plugin.SessionChanges;
import io.polygate.storage.memory.MemoryStore;
import org.junit.jupiter.api.Test;

class PluginSessionsTest {
    private final MemoryStore store = new MemoryStore();
    private final SessionStore keys = new SessionStore(store);
    private final PluginSessions built = new PluginSessions(keys);

    /** A session as an auth hook returns it (Python sends floats, metadata merged in). */
    private static Session fromHook() {
        return SessionChanges.toSession(HookJson.read("""
                {"rate": 1000.0, "per": 1.0, "quota_max": -1, "apply_policies": [], "custom": {"x": 1},
                 "meta_data": {"token": "t", "username": "ada", "profile": "{\\"a\\": 1}"}}"""));
    }

    @Test
    void theSameSessionIsWrittenOnceAndItsOwnWriteIsNoChange() {
        built.keep("t", fromHook(), "api");
        String first = store.get(SessionStore.PREFIX + "t");
        assertThat(keys.find("t").meta_data).containsEntry("username", "ada");
        built.keep("t", fromHook(), "api");
        assertThat(store.get(SessionStore.PREFIX + "t")).isSameAs(first);
        assertThat(built.changedElsewhere("t")).isFalse();
    }

    @Test
    void aSessionWithALifetimeIsWrittenAgainOnceHalfOfItHasPassed() throws Exception {
        PluginSessions expiring = new PluginSessions(new SessionStore(store, api -> api.equals("short") ? 1 : -1));
        expiring.keep("t", fromHook(), "short");
        String first = store.get(SessionStore.PREFIX + "t");
        expiring.keep("t", fromHook(), "short");
        assertThat(store.get(SessionStore.PREFIX + "t")).isSameAs(first);
        Thread.sleep(600);
        expiring.keep("t", fromHook(), "short");
        assertThat(store.get(SessionStore.PREFIX + "t")).isNotSameAs(first);
    }

    @Test
    void anotherNodesWriteOfTheSameSessionIsNoChange() {
        built.keep("t", fromHook(), "api");
        new SessionStore(store).save("t", fromHook());
        assertThat(built.changedElsewhere("t")).isFalse();
    }

    @Test
    void aChangedOrDeletedKeyIsAChangeAndTheNextSessionIsWrittenAgain() {
        built.keep("t", fromHook(), "api");
        Session changed = fromHook();
        changed.rate = 5;
        keys.save("t", changed);
        assertThat(built.changedElsewhere("t")).isTrue();
        built.keep("t", fromHook(), "api");
        assertThat(keys.find("t").rate).isEqualTo(1000);
        keys.delete("t");
        assertThat(built.changedElsewhere("t")).isTrue();
        built.keep("t", fromHook(), "api");
        assertThat(keys.exists("t")).isTrue();
        assertThat(built.changedElsewhere("other")).isTrue();
    }
}
