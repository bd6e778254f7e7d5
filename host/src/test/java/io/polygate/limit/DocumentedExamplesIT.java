package io.polygate.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.GatewayFixture;
import io.polygate.testing.ManualClock;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Kong's and Tyk's documented examples with their real numbers, through a real gateway whose
 * limits read a manual clock (so an hour passes in milliseconds).
 */
class DocumentedExamplesIT {
    final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    GatewayFixture gw;

    @AfterEach
    void stop() { if (gw != null) gw.close(); }

    int admitted(String path, String key, int n) throws Exception {
        int ok = 0;
        for (int i = 0; i < n; i++) {
            int s = (key == null ? gw.get(path) : gw.get(path, "Authorization", key)).statusCode();
            assertThat(s).isIn(200, 429);
            if (s == 200) ok++;
        }
        return ok;
    }

    static long header(HttpResponse<String> r, String name) {
        return Long.parseLong(r.headers().firstValue(name).orElseThrow());
    }

    /** Kong: {@code minute: 10, hour: 100} (fixed windows, as Kong counts them): both must pass. */
    @Test
    void kongTenPerMinuteAndAHundredPerHour() throws Exception {
        gw = GatewayFixture.start("apis:\n  - api_id: k\n    listen_path: /k\n    target_url: echo://\n    auth: none\n"
                + "    rate_limit_algorithm: fixed_window\n"
                + "    global_rate_limit: [{rate: 10, per: 60}, {rate: 100, per: 3600}]\n", Path.of("."), clock);
        for (int minute = 0; minute < 10; minute++) {
            clock.set(Instant.parse("2030-01-01T00:00:00Z").plusSeconds(minute * 60L + 1));
            assertThat(admitted("/k/x", null, 12)).as("minute %d", minute).isEqualTo(10);
            HttpResponse<String> perMinute = gw.get("/k/x");
            assertThat(header(perMinute, "X-RateLimit-Limit")).isEqualTo(10);
            assertThat(header(perMinute, "Retry-After")).isEqualTo(59);
        }
        clock.set(Instant.parse("2030-01-01T00:10:01Z"));
        HttpResponse<String> perHour = gw.get("/k/x");
        assertThat(perHour.statusCode()).as("100 used this hour").isEqualTo(429);
        assertThat(header(perHour, "X-RateLimit-Limit")).isEqualTo(100);
        assertThat(header(perHour, "Retry-After")).isEqualTo(3000 - 1);
        clock.set(Instant.parse("2030-01-01T01:00:00Z"));
        assertThat(admitted("/k/x", null, 12)).isEqualTo(10);
    }

    /** Tyk: policies 90 per 30 s and 100 per 10 s on one key give 10 requests per second, not 100 per 30 s. */
    @Test
    void tykTwoPoliciesGiveTheHigherEffectiveRate() throws Exception {
        gw = GatewayFixture.start("rate_limit: {algorithm: sliding_log}\n"
                + "apis:\n  - api_id: t\n    listen_path: /t\n    target_url: echo://\n    auth: key\n", Path.of("."), clock);
        assertThat(gw.admin("POST", "/policies", "{\"id\": \"a\", \"rate\": 90, \"per\": 30}").statusCode()).isEqualTo(201);
        assertThat(gw.admin("POST", "/policies", "{\"id\": \"b\", \"rate\": 100, \"per\": 10}").statusCode()).isEqualTo(201);
        assertThat(gw.admin("POST", "/keys/k", "{\"apply_policies\": [\"a\", \"b\"], \"access_rights\": {\"t\": {}}}").statusCode()).isEqualTo(201);
        long total = 0;
        for (int s = 0; s < 30; s += 10) {
            clock.set(Instant.parse("2030-01-01T00:00:00Z").plusSeconds(s));
            int ok = admitted("/t/x", "k", 110);
            assertThat(ok).as("at %d s", s).isEqualTo(100);
            total += ok;
        }
        assertThat(total).as("300 in 30 s = 10/s; 100 per 30 s would have admitted 100").isEqualTo(300);
    }

    /** Quota renewal on the first request after the period, with an hour-long period. */
    @Test
    void quotaRenewsOnTheFirstRequestAfterAnHour() throws Exception {
        gw = GatewayFixture.start("apis:\n  - api_id: q\n    listen_path: /q\n    target_url: echo://\n    auth: key\n", Path.of("."), clock);
        assertThat(gw.admin("POST", "/keys/k", "{\"quota_max\": 5, \"quota_remaining\": 5, \"quota_renewal_rate\": 3600,"
                + " \"access_rights\": {\"q\": {}}}").statusCode()).isEqualTo(201);
        for (int i = 0; i < 5; i++) assertThat(gw.get("/q/x", "Authorization", "k").statusCode()).isEqualTo(200);
        HttpResponse<String> over = gw.get("/q/x", "Authorization", "k");
        assertThat(over.statusCode()).isEqualTo(403);
        assertThat(header(over, "X-Quota-Reset")).isEqualTo(Instant.parse("2030-01-01T01:00:00Z").getEpochSecond());
        clock.advance(Duration.ofMinutes(59));
        assertThat(gw.get("/q/x", "Authorization", "k").statusCode()).isEqualTo(403);
        clock.advance(Duration.ofHours(2));
        HttpResponse<String> renewed = gw.get("/q/x", "Authorization", "k");
        assertThat(renewed.statusCode()).isEqualTo(200);
        assertThat(header(renewed, "X-Quota-Remaining")).isEqualTo(4);
        assertThat(header(renewed, "X-Quota-Reset")).isEqualTo(Instant.parse("2030-01-01T03:59:00Z").getEpochSecond());
    }
}
