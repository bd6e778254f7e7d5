package io.polygate.limit;

import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import org.eclipse.jetty.http.HttpFields;

/**
 * The rate limit answer of a request: {@code X-RateLimit-Limit}, {@code -Remaining} and
 * {@code -Reset} (epoch seconds) of the tightest check, with {@code ietf_headers} also the IETF
 * draft's {@code RateLimit-Policy} and {@code RateLimit}; on a denial {@code Retry-After} and the 429.
 */
final class RateLimitHeaders {
    /** The answer is the same every time: built once, not per denied request. */
    private static final Outcome.Respond TOO_MANY_REQUESTS = Outcome.error(429, "Rate limit exceeded");

    private final Limits limits;

    RateLimitHeaders(Limits limits) { this.limits = limits; }

    /** Sets the headers of the tightest check; the 429 when a check denied, else null. */
    Outcome write(Exchange exchange, Tally t) {
        Decision d = t.tightest();
        if (d == null) return null;
        HttpFields.Mutable h = exchange.responseHeaders();
        long nowMillis = limits.clock().millis();
        h.put("X-RateLimit-Limit", Long.toString(d.limit()));
        h.put("X-RateLimit-Remaining", Long.toString(d.remaining()));
        h.put("X-RateLimit-Reset", Long.toString((nowMillis + d.resetAfter().toMillis() + 999) / 1000));
        if (limits.config().ietfHeaders()) {
            long w = Math.max(1, Math.round(t.tightestWindow().per()));
            h.put("RateLimit-Policy", "\"" + t.tightestScope() + "\";q=" + d.limit() + ";w=" + w);
            h.put("RateLimit", "\"" + t.tightestScope() + "\";r=" + d.remaining() + ";t="
                    + seconds(d.allowed() ? d.resetAfter().toMillis() : d.retryAfter().toMillis()));
        }
        if (t.denied() == null) return null;
        limits.metrics().rateLimited.increment();
        h.put("Retry-After", Long.toString(seconds(t.denied().retryAfter().toMillis())));
        return TOO_MANY_REQUESTS;
    }

    /** Whole seconds, rounded up, at least 1. */
    private static long seconds(long millis) { return Math.max(1, (millis + 999) / 1000); }
}
