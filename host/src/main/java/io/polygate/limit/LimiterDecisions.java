package io.polygate.limit;

import io.micrometer.core.instrument.Counter;
import io.polygate.observability.Metrics;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code polygate_limiter_decisions_total} of one API: every limiter check and quota take, by
 * {@code scope} (the rate scopes of {@link Checks}, and {@code quota}) and {@code outcome}
 * ({@code allowed}, {@code denied}). The counters are registered once, when the API's route is built.
 */
final class LimiterDecisions {
    static final String QUOTA = "quota";
    /** Every scope a check can have: {@link ApiChecks}' and {@link KeyChecks}', then the quota. */
    private static final String[] SCOPES = {"endpoint", "api", "key-endpoint", "key-api", "key", QUOTA};

    /** scope -> {allowed, denied} */
    private final Map<String, Counter[]> counters = new HashMap<>();

    LimiterDecisions(Metrics metrics, String apiId) {
        for (String scope : SCOPES) {
            counters.put(scope, new Counter[] {
                    counter(metrics, apiId, scope, "allowed"), counter(metrics, apiId, scope, "denied")});
        }
    }

    private static Counter counter(Metrics metrics, String apiId, String scope, String outcome) {
        return metrics.counter("polygate.limiter.decisions", "Limiter checks and quota takes, by API, scope and outcome",
                "api", apiId, "scope", scope, "outcome", outcome);
    }

    void record(String scope, boolean allowed) {
        counters.get(scope)[allowed ? 0 : 1].increment();
    }
}
