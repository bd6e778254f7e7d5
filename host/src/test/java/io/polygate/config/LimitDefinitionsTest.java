package io.polygate.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.polygate.config.Algorithm;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading limits from API definitions and the gateway config: what is accepted, and the exact errors. */
class LimitDefinitionsTest {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static ApiDefinition api(String yaml, ConfigErrors errors) throws Exception {
        return ApiDefinitions.parse(new Node(YAML.readTree("api_id: a\nlisten_path: /a\ntarget_url: echo://\n" + yaml), "", errors));
    }

    static List<String> errorsOf(String yaml) throws Exception {
        ConfigErrors errors = new ConfigErrors();
        assertThat(api(yaml, errors)).isNull();
        return errors.list();
    }

    @Test
    void readsEveryLimitShape() throws Exception {
        ConfigErrors errors = new ConfigErrors();
        ApiDefinition a = api("""
                rate_limit_algorithm: sliding-window
                global_rate_limit: [{rate: 10, per: 60}, {rate: 100, per: 3600}]
                extended_paths:
                  rate_limit:
                    - {path: '/users/{id}/orders', method: post, rate: 5, per: 1, key: '$pathParams.id|$ip'}
                    - {path: /log/mobile, limits: [{rate: 10, per: 1}], counter: log}
                    - {path: /off, rate: 1, per: 1, disabled: true}
                """, errors);
        assertThat(errors.list()).isEmpty();
        ApiLimits l = a.limits();
        assertThat(l.algorithm()).isEqualTo(Algorithm.SLIDING_WINDOW);
        assertThat(l.global().windows()).containsExactly(new LimitSpec.Window(10, 60), new LimitSpec.Window(100, 3600));
        assertThat(a.globalRateLimit()).isEqualTo(new ApiDefinition.RateSpec(10, 60));
        assertThat(l.endpoints()).hasSize(2);
        LimitSpec.Endpoint users = l.endpoints().get(0);
        assertThat(users.method()).isEqualTo("POST");
        assertThat(users.params()).containsExactly("id");
        assertThat(users.pattern().matcher("/users/42/orders").matches()).isTrue();
        assertThat(users.pattern().matcher("/users/42/orders/").matches()).isTrue();
        assertThat(users.pattern().matcher("/users/42/x/orders").matches()).isFalse();
        assertThat(users.limit().key()).isEqualTo("$pathParams.id|$ip");
        assertThat(l.endpoints().get(1).limit().counter()).isEqualTo("log");
        assertThat(l.endpoints().get(1).method()).isNull();
    }

    @Test
    void readsTykClassicVersionData() throws Exception {
        ConfigErrors errors = new ConfigErrors();
        ApiDefinition a = api("""
                version_data:
                  versions:
                    Default:
                      extended_paths:
                        rate_limit: [{path: /slow, method: GET, rate: 1, per: 10}]
                """, errors);
        assertThat(errors.list()).isEmpty();
        assertThat(a.limits().endpoints()).singleElement().extracting(LimitSpec.Endpoint::path).isEqualTo("/slow");
    }

    @Test
    void aZeroGlobalRateMeansNoLimitAsInTyk() throws Exception {
        ConfigErrors errors = new ConfigErrors();
        ApiDefinition a = api("global_rate_limit: {rate: 0, per: 0}\n", errors);
        assertThat(errors.list()).isEmpty();
        assertThat(a.limits().isEmpty()).isTrue();
    }

    @Test
    void reportsEveryProblemWithItsPath() throws Exception {
        assertThat(errorsOf("""
                rate_limit_algorithm: leaky
                global_rate_limit: {rate: 5, per: 0, key: '$body.user'}
                extended_paths:
                  rate_limit:
                    - {path: '/a(', rate: 1, per: 1}
                    - {path: /b, method: FETCH, rate: 0, per: 1}
                    - {path: /c, limits: [], counter: ''}
                    - {rate: 1, per: 1}
                """)).containsExactly(
                "rate_limit_algorithm: \"leaky\" is not one of token_bucket, sliding_log, fixed_window, sliding_window, sentinel",
                "global_rate_limit.per: must be > 0 when rate is set",
                "global_rate_limit.key: \"$body.user\" is not one of $headers.NAME, $pathParams.NAME, $authn.CLAIM, $tyk_meta.FIELD, $ip ($body is not supported yet)",
                "extended_paths.rate_limit[0].path: \"/a(\" is not a valid path pattern: missing closing ) (e.g. \"/users/{id}\" or \"/log/(mobile|web)\")",
                "extended_paths.rate_limit[1].method: \"FETCH\" is not one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE, CONNECT or *",
                "extended_paths.rate_limit[1].rate: must be > 0 (e.g. rate: 10, per: 1)",
                "extended_paths.rate_limit[2].limits: must be a non-empty list of {rate, per} (e.g. [{rate: 10, per: 60}, {rate: 100, per: 3600}])",
                "extended_paths.rate_limit[2].counter: must not be empty",
                "extended_paths.rate_limit[3].path: is required");
    }

    @Test
    void gatewayRateLimitSection() throws Exception {
        ConfigErrors errors = new ConfigErrors();
        RateLimitConfig c = LimitDefinitions.rateLimit(new Node(YAML.readTree(
                "{algorithm: fixed_window, count_rejected: true, on_store_error: deny, store_retry: 250ms, ietf_headers: true,"
                + " drl: false, drl_threshold: 2.5, drl_heartbeat: 500ms}"), "rate_limit", errors));
        assertThat(errors.list()).isEmpty();
        assertThat(c).isEqualTo(new RateLimitConfig(Algorithm.FIXED_WINDOW, true, RateLimitConfig.OnStoreError.DENY,
                Duration.ofMillis(250), true, false, 2.5, Duration.ofMillis(500)));
        assertThat(LimitDefinitions.rateLimit(new Node(null, "rate_limit", errors))).isEqualTo(RateLimitConfig.DEFAULT);

        LimitDefinitions.rateLimit(new Node(YAML.readTree("{algorithm: nope, on_store_error: maybe, store_retry: soon}"), "rate_limit", errors));
        assertThat(errors.list()).containsExactly(
                "rate_limit.algorithm: \"nope\" is not one of token_bucket, sliding_log, fixed_window, sliding_window, sentinel",
                "rate_limit.on_store_error: \"maybe\" is not one of allow, deny",
                "rate_limit.store_retry: \"soon\" is not a duration (e.g. \"30s\", \"500ms\", \"2m\" or a number of seconds)");
    }

    @Test
    void aBacktrackingPathPatternMatchesInLinearTime() {
        LimitDefinitions.PathPattern p = LimitDefinitions.pathPattern("/(a+)+$");
        long start = System.nanoTime();
        assertThat(p.pattern().matcher("/" + "a".repeat(100_000) + "!").matches()).isFalse();
        assertThat(p.pattern().matcher("/" + "a".repeat(100_000)).matches()).isTrue();
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms").isLessThan(2_000);
    }
}
