package io.polygate.limit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Pins every counter id byte for byte: they name the counters stored in Redis, so a changed id
 * would reset every key's and API's counters on upgrade.
 */
class CounterIdsTest {
    @Test
    void apiLimitsCountPerApiOrUnderTheirSharedCounterName() {
        assertThat(CounterIds.api("orders", null)).isEqualTo("api:orders");
        assertThat(CounterIds.api("orders", "shared")).isEqualTo("c:shared");
        assertThat(CounterIds.apiEndpoint("orders", 2, null)).isEqualTo("api:orders:ep2");
        assertThat(CounterIds.apiEndpoint("orders", 2, "shared")).isEqualTo("c:shared");
    }

    @Test
    void apiLimitsSplitPerCallerByIdentifierThenCredentialThenAddress() {
        assertThat(CounterIds.perCaller("api:orders", "app-1|eu", "k1", "10.0.0.1")).isEqualTo("api:orders:id:app-1|eu");
        assertThat(CounterIds.perCaller("api:orders:ep0", null, "k1", "10.0.0.1")).isEqualTo("api:orders:ep0:key:k1");
        assertThat(CounterIds.perCaller("c:shared", null, null, "10.0.0.1")).isEqualTo("c:shared:ip:10.0.0.1");
    }

    @Test
    void severalWindowsOfOneLimitEachHaveTheirOwnCounter() {
        assertThat(CounterIds.window("api:orders", 0, 1)).isEqualTo("api:orders");
        assertThat(CounterIds.window("api:orders", 0, 2)).isEqualTo("api:orders:w0");
        assertThat(CounterIds.window("key:k1", 1, 2)).isEqualTo("key:k1:w1");
    }

    @Test
    void keyLimitsCountPerCredentialOrRateLimitPattern() {
        assertThat(CounterIds.key("k1")).isEqualTo("key:k1");
        assertThat(CounterIds.keyPattern("org-7")).isEqualTo("pattern:org-7");
        assertThat(CounterIds.keyApi("key:k1", "orders")).isEqualTo("key:k1:api:orders");
        assertThat(CounterIds.keyEndpoint("pattern:org-7", "orders", "get", "/items/{id}"))
                .isEqualTo("pattern:org-7:api:orders:ep:GET /items/{id}");
        assertThat(CounterIds.keyEndpoint("key:k1", "orders", "*", "/items")).isEqualTo("key:k1:api:orders:ep:* /items");
    }

    @Test
    void quotaCountsPerKeyOrPerKeyAndApi() {
        assertThat(CounterIds.quota("k1", null)).isEqualTo("quota:k1");
        assertThat(CounterIds.quota("k1", "orders")).isEqualTo("quota:k1:api:orders");
    }

    @Test
    void logsShowOnlyTheStartOfACredentialInAnId() {
        String key = "0123456789abcdefghij";
        assertThat(CounterIds.redacted("key:" + key)).isEqualTo("key:" + io.polygate.session.SessionStore.redact(key))
                .doesNotContain(key);
        assertThat(CounterIds.redacted("pattern:org-7")).isEqualTo("pattern:org-7");
    }
}
