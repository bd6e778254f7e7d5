package io.polygate.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionCacheTest {
    static final long NOW = 1_000;

    static Session session(long deadline) {
        Session s = new Session();
        s.rate = 10;
        s.per = 60;
        s.id_extractor_deadline = deadline;
        return s;
    }

    @Test
    void changedDataKeyDropsOnlyTheSessionsBuiltOnIt() {
        SessionCache c = new SessionCache();
        c.put("api", "foo", "foo", session(NOW + 60), NOW, Set.of("rate:foo"), c.mark());
        c.put("api", "bar", "bar", session(NOW + 60), NOW, Set.of("rate:bar"), c.mark());
        assertThat(c.invalidateData("rate:foo")).isEqualTo(1);
        assertThat(c.get("api", "foo", NOW)).isNull();
        assertThat(c.get("api", "bar", NOW)).isNotNull();
        assertThat(c.invalidateData("rate:foo")).isZero();
    }

    @Test
    void changeWhileTheHookRanKeepsItsSessionOutOfTheCache() {
        SessionCache c = new SessionCache();
        long mark = c.mark();
        c.invalidateData("rate:foo"); // the hook may have read the old value
        c.put("api", "foo", "foo", session(NOW + 60), NOW, Set.of("rate:foo"), mark);
        assertThat(c.get("api", "foo", NOW)).isNull();
        // an unrelated change does not
        long mark2 = c.mark();
        c.invalidateData("rate:other");
        c.put("api", "foo", "foo", session(NOW + 60), NOW, Set.of("rate:foo"), mark2);
        assertThat(c.get("api", "foo", NOW)).isNotNull();
    }

    @Test
    void changedKeyDropsTheSessionsCachedForThatToken() {
        SessionCache c = new SessionCache();
        c.put("api", "id-1", "foo", session(NOW + 60), NOW, Set.of(), c.mark());
        c.put("api2", "id-2", "foo", session(NOW + 60), NOW, Set.of(), c.mark());
        c.put("api", "id-3", "bar", session(NOW + 60), NOW, Set.of(), c.mark());
        assertThat(c.invalidateToken("foo")).isEqualTo(2);
        assertThat(c.size()).isEqualTo(1);
    }

    @Test
    void replacedEntryIsNoLongerDroppedByItsOldDataKey() {
        SessionCache c = new SessionCache();
        c.put("api", "foo", "foo", session(NOW + 60), NOW, Set.of("rate:foo"), c.mark());
        c.put("api", "foo", "foo", session(NOW + 60), NOW, Set.of("rate:foo2"), c.mark());
        assertThat(c.invalidateData("rate:foo")).isZero();
        assertThat(c.invalidateData("rate:foo2")).isEqualTo(1);
    }

    @Test
    void pastDeadlineIsNotCached() {
        SessionCache c = new SessionCache();
        c.put("api", "foo", "foo", session(NOW), NOW, Set.of("rate:foo"), c.mark());
        assertThat(c.get("api", "foo", NOW)).isNull();
    }

    @Test
    void changedPolicyDropsTheSessionsApplyingIt() {
        SessionCache c = new SessionCache();
        Session gold = session(NOW + 60);
        gold.apply_policies.add("gold");
        c.put("api", "id-1", "foo", gold, NOW, Set.of(), c.mark());
        c.put("api", "id-2", "bar", session(NOW + 60), NOW, Set.of(), c.mark());
        assertThat(c.invalidatePolicy("gold")).isEqualTo(1);
        assertThat(c.get("api", "id-1", NOW)).isNull();
        assertThat(c.get("api", "id-2", NOW)).isNotNull();
    }

    @Test
    void hitsMissesAndInvalidationsAreCounted() {
        SessionCache c = new SessionCache();
        c.put("api", "foo", "foo", session(NOW + 60), NOW, Set.of("rate:foo"), c.mark());
        c.put("api", "bar", "bar", session(NOW + 60), NOW, Set.of(), c.mark());
        c.put("api2", "baz", "baz", session(NOW + 60), NOW, Set.of(), c.mark());
        c.get("api", "foo", NOW);
        c.get("api", "nobody", NOW);
        c.get("api", "bar", NOW + 60); // past its deadline: a miss, not an invalidation
        assertThat(c.hits()).isEqualTo(1);
        assertThat(c.misses()).isEqualTo(2);
        assertThat(c.invalidations()).isZero();
        c.invalidateData("rate:foo");
        c.invalidate("api2");
        assertThat(c.invalidations()).isEqualTo(2);
        c.put("api", "qux", "qux", session(NOW + 60), NOW, Set.of(), c.mark());
        c.clear();
        assertThat(c.invalidations()).isEqualTo(3);
    }
}
