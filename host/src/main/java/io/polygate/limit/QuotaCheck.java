package io.polygate.limit;

import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import java.util.concurrent.CompletionStage;
import org.eclipse.jetty.http.HttpFields;

/**
 * A key's quota on one API, taken after its rate limits allowed the request: {@code X-Quota-Limit},
 * {@code -Remaining} and {@code -Reset} (epoch seconds, when the period renews); over it: 403.
 * Off with the API's {@code disable_quota}. Thread-safe.
 */
final class QuotaCheck {
    /** The answer is the same every time: built once, not per refused request. */
    private static final Outcome.Respond QUOTA_EXCEEDED_ANSWER = Outcome.error(403, "Quota exceeded");

    private final String apiId;
    private final Limits limits;
    private final boolean enabled;
    private final LimiterDecisions decisions;

    QuotaCheck(String apiId, Limits limits, boolean enabled, LimiterDecisions decisions) {
        this.apiId = apiId;
        this.limits = limits;
        this.enabled = enabled;
        this.decisions = decisions;
    }

    boolean enabled() { return enabled; }

    /** Whether {@code key} (may be null) has a quota to take from here. */
    boolean appliesTo(KeyLimits key) { return key != null && enabled && key.hasQuota(); }

    Outcome take(Exchange exchange, KeyLimits key) {
        return answer(exchange, limits.quota().consume(counter(exchange, key), key.quotaMax(), key.usedAtStart(), key.quotaRenewalSeconds(), 1));
    }

    /** {@link #take} without holding the thread while a shared store answers. */
    CompletionStage<Outcome> takeAsync(Exchange exchange, KeyLimits key) {
        return limits.quota().consumeAsync(counter(exchange, key), key.quotaMax(), key.usedAtStart(), key.quotaRenewalSeconds(), 1)
                .thenApply(q -> answer(exchange, q));
    }

    private String counter(Exchange exchange, KeyLimits key) {
        return CounterIds.quota(exchange.keyId(), key.quotaPerApi() ? apiId : null);
    }

    private Outcome answer(Exchange exchange, QuotaCounter.Result q) {
        HttpFields.Mutable h = exchange.responseHeaders();
        h.put("X-Quota-Limit", Long.toString(q.max()));
        h.put("X-Quota-Remaining", Long.toString(q.remaining()));
        if (q.renewsAtMillis() > 0) h.put("X-Quota-Reset", Long.toString((q.renewsAtMillis() + 999) / 1000));
        decisions.record(LimiterDecisions.QUOTA, q.allowed());
        if (q.allowed()) return Outcome.CONTINUE;
        limits.metrics().quotaExceeded.increment();
        return QUOTA_EXCEEDED_ANSWER;
    }
}
