package io.polygate.limit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.config.RateLimitConfig;
import io.polygate.config.ApiDefinition;
import io.polygate.limit.local.LocalLimiters;
import io.polygate.testing.GatewayFixture;
import io.polygate.testing.ManualClock;
import io.polygate.testing.StepKit;
import io.polygate.testing.TestApis;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.jetty.http.HttpTester;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An API's rate limit on real Jetty requests: the headers of every answer, and the 429 past the limit. */
class LimitStepTest {
    static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    final ManualClock clock = new ManualClock(NOW);
    StepKit kit;

    @BeforeEach
    void start() throws Exception {
        ApiDefinition api = TestApis.parse("""
                api_id: orders
                listen_path: /orders
                target_url: echo://
                rate_limit_algorithm: fixed_window
                global_rate_limit: {rate: 2, per: 60}
                """);
        kit = StepKit.of(api, new LimitStep(api, new Limits(RateLimitConfig.DEFAULT, new LocalLimiters(clock), null, () -> 1, null, clock, null)));
    }

    @AfterEach
    void close() throws Exception { kit.close(); }

    @Test
    void answersUnderTheLimitCarryTheRateLimitHeaders() throws Exception {
        HttpTester.Response first = kit.get("/orders/1");
        assertThat(first.getStatus()).isEqualTo(200);
        assertThat(first.getValuesList("X-RateLimit-Limit")).containsExactly("2");
        assertThat(first.getValuesList("X-RateLimit-Remaining")).containsExactly("1");
        assertThat(first.getValuesList("X-RateLimit-Reset")).containsExactly(Long.toString(NOW.getEpochSecond() + 60));
        assertThat(first.get("Retry-After")).isNull();
        assertThat(kit.get("/orders/2").get("X-RateLimit-Remaining")).isEqualTo("0");
    }

    @Test
    void pastTheLimitIs429WithRetryAfterUntilTheWindowEnds() throws Exception {
        kit.get("/orders/1");
        kit.get("/orders/1");
        HttpTester.Response denied = kit.get("/orders/1?again");
        assertThat(denied.getStatus()).isEqualTo(429);
        JsonNode body = GatewayFixture.JSON.readTree(denied.getContent());
        assertThat(body.get("error").asText()).isEqualTo("Rate limit exceeded");
        assertThat(body.get("status").asInt()).isEqualTo(429);
        assertThat(denied.getValuesList("X-RateLimit-Limit")).containsExactly("2");
        assertThat(denied.getValuesList("X-RateLimit-Remaining")).containsExactly("0");
        assertThat(denied.getValuesList("Retry-After")).containsExactly("60");
        assertThat(kit.reachedUpstream().query()).as("the denied request stopped at the step").isNull();

        clock.advance(Duration.ofSeconds(60));
        HttpTester.Response next = kit.get("/orders/1");
        assertThat(next.getStatus()).isEqualTo(200);
        assertThat(next.get("X-RateLimit-Remaining")).isEqualTo("1");
    }
}
