package io.polygate.limit;

import io.polygate.auth.session.Session;
import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.chain.Phase;
import io.polygate.chain.Step;
import org.eclipse.jetty.http.HttpFields;

/**
 * Enforces the authenticated key's {@code rate}/{@code per} from its session. Adds
 * {@code X-RateLimit-Limit}, {@code X-RateLimit-Remaining} and {@code X-RateLimit-Reset} (epoch
 * seconds) to the response; over the limit: 429 with {@code Retry-After} (seconds) and a JSON body.
 */
public final class KeyRateLimitStep implements Step {
    public static final String TOO_MANY = "Rate limit exceeded";

    private final String apiId;
    private final RateLimiter limiter;

    public KeyRateLimitStep(String apiId, RateLimiter limiter) {
        this.apiId = apiId;
        this.limiter = limiter;
    }

    @Override public String name() { return "key-rate-limit"; }

    @Override public Phase phase() { return Phase.LIMIT; }

    @Override public boolean mayBlock() { return false; }

    @Override
    public Outcome apply(Exchange exchange) {
        Session s = exchange.session();
        if (s == null || s.rate <= 0 || s.per <= 0 || exchange.keyId() == null) return Outcome.CONTINUE;
        Decision d = limiter.tryAcquire("key:" + apiId + ":" + exchange.keyId(), s.rate, s.per, 1);
        HttpFields.Mutable h = exchange.responseHeaders();
        long resetEpoch = (System.currentTimeMillis() + d.resetAfter().toMillis() + 999) / 1000;
        h.put("X-RateLimit-Limit", Long.toString(d.limit()));
        h.put("X-RateLimit-Remaining", Long.toString(d.remaining()));
        h.put("X-RateLimit-Reset", Long.toString(resetEpoch));
        if (d.allowed()) return Outcome.CONTINUE;
        h.put("Retry-After", Long.toString(Math.max(1, (d.retryAfter().toMillis() + 999) / 1000)));
        return Outcome.error(429, TOO_MANY);
    }
}
