package io.polygate.limit;

import io.polygate.session.Session;
import io.polygate.session.SessionStore;
import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.chain.Phase;
import io.polygate.chain.Step;
import io.polygate.config.ApiDefinition;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An API's rate limits and quota, in the LIMIT phase. Scopes are checked in this order, each window
 * of each limit in turn, stopping at the first denial: the API's own limits ({@link ApiChecks}:
 * per endpoint, then the whole API), then the key's ({@link KeyChecks}: per endpoint, per API,
 * global, after policies); then the quota ({@link QuotaCheck}). Key scopes need an authenticated
 * exchange ({@link Exchange#authenticate}); {@code disable_rate_limit} turns off the key rate
 * scopes, {@code disable_quota} the quota.
 *
 * <p>Every response of a limited request carries the headers of the tightest limit checked
 * ({@link RateLimitHeaders}); a denial is a 429, unless the key throttles: then the request waits,
 * without a thread, and is checked again. With Redis the request is suspended
 * ({@link Outcome.Suspend}) while its checks run, one script per check, each sent when the one
 * before allowed; the chain goes on when the last reply is in.
 */
public final class LimitStep implements Step {
    private static final Logger LOG = LoggerFactory.getLogger(LimitStep.class);
    /** A key whose policy is gone gets what {@code KeyAuthStep} answers a key without access to the API. */
    private static final Outcome.Respond NO_ACCESS = Outcome.error(403, Session.NO_ACCESS);

    private final String apiId;
    private final String listenPath;
    private final Limits limits;
    private final RateLimiter limiter;
    private final ApiChecks apiChecks;
    private final KeyChecks keyChecks;
    private final RateLimitHeaders headers;
    private final QuotaCheck quota;
    private final LimiterDecisions decisions;
    private final boolean keyRates;
    private final boolean mayHaveKeys;

    public LimitStep(ApiDefinition api, Limits limits) {
        this.apiId = api.apiId();
        this.listenPath = api.listenPath();
        this.limits = limits;
        this.limiter = limits.limiter(api.limits().algorithm());
        this.apiChecks = new ApiChecks(api);
        this.keyChecks = new KeyChecks(apiId, limits);
        this.headers = new RateLimitHeaders(limits);
        this.decisions = limits.metrics().decisions(apiId);
        this.quota = new QuotaCheck(apiId, limits, !api.disableQuota(), decisions);
        this.keyRates = !api.disableRateLimit();
        this.mayHaveKeys = api.auth().type() != ApiDefinition.AuthType.NONE || api.customMiddlewareBundle() != null;
    }

    @Override public String name() { return "limits"; }

    @Override public Phase phase() { return Phase.LIMIT; }

    /**
     * Rate and quota checks never hold the thread: in memory they are immediate, with Redis they
     * suspend the request until the reply comes. Only resolving a key's policies reads the store
     * (cached), so only an API that can have keys, with a shared store, may block here, and only
     * for a key whose auth did not read its policies already (key auth does).
     */
    @Override public boolean mayBlock() { return limits.isShared() && mayHaveKeys; }

    @Override public boolean mayBlock(Exchange exchange) { return mayBlock() && KeyChecks.readsStore(exchange); }

    /** Whether an API needs this step at all: it has its own limits, or authenticated keys may bring theirs. */
    public static boolean applies(ApiDefinition api) {
        if (!api.limits().isEmpty()) return true;
        return api.auth().type() != ApiDefinition.AuthType.NONE && (!api.disableRateLimit() || !api.disableQuota());
    }

    @Override
    public Outcome apply(Exchange exchange) {
        KeyLimits key = null;
        if (exchange.session() != null && exchange.keyId() != null && (keyRates || quota.enabled())) {
            try {
                key = keyChecks.limitsOf(exchange);
            } catch (KeyLimits.UnknownPolicy e) {
                LOG.warn("api={} key={}: refused: {}", apiId, SessionStore.redact(exchange.keyId()), e.getMessage());
                return NO_ACCESS;
            }
        }
        boolean keyRate = key != null && keyRates && key.hasRateLimit();
        if (apiChecks.isEmpty() && !keyRate && !quota.appliesTo(key)) return Outcome.CONTINUE;
        KeyLimits k = key;
        Checks checks = plan(exchange, key, keyRate);
        if (limits.isShared()) {
            // one round trip per check, each sent when the one before has answered; no thread waits
            return new Outcome.Suspend(runAsync(checks, 0, new Tally()).thenCompose(t -> {
                if (t.denied() != null && k != null && k.throttles()) return throttle(exchange, k, keyRate);
                return finishAsync(exchange, k, t);
            }));
        }
        Tally t = run(checks);
        if (t.denied() != null && key != null && key.throttles()) return new Outcome.Suspend(throttle(exchange, key, keyRate));
        return finish(exchange, key, t);
    }

    /** The checks of this request, in order: the API's, then the key's. */
    private Checks plan(Exchange exchange, KeyLimits key, boolean keyRate) {
        Checks checks = new Checks(exchange, listenPath);
        apiChecks.plan(checks, key);
        if (keyRate) keyChecks.plan(checks, key);
        return checks;
    }

    private CompletableFuture<Outcome> throttle(Exchange exchange, KeyLimits key, boolean keyRate) {
        return keyChecks.throttle(key, () -> run(plan(exchange, key, keyRate)), t -> finish(exchange, key, t));
    }

    private Tally run(Checks checks) {
        Tally t = new Tally();
        for (int i = 0; i < checks.size(); i++) {
            Checks.Check c = checks.get(i);
            if (!record(t, c, limiter.tryAcquire(c.counter(), c.window().rate(), c.window().per(), 1))) break;
        }
        return t;
    }

    private CompletionStage<Tally> runAsync(Checks checks, int from, Tally t) {
        if (from == checks.size()) return CompletableFuture.completedFuture(t);
        Checks.Check c = checks.get(from);
        return limiter.tryAcquireAsync(c.counter(), c.window().rate(), c.window().per(), 1)
                .thenCompose(d -> record(t, c, d) ? runAsync(checks, from + 1, t) : CompletableFuture.completedFuture(t));
    }

    /** Adds a decision to the tally and lets smoothing see it; false when it denies. */
    private boolean record(Tally t, Checks.Check c, Decision d) {
        t.add(c.scope(), c.window(), d);
        decisions.record(c.scope(), d.allowed());
        if (c.smooth() != null)
            limits.smoothing().observe(c.counter(), c.smooth(), c.smoothRate(), d.limit() - d.remaining() + (d.allowed() ? 0 : 1), limits.clock().millis());
        return d.allowed();
    }

    private Outcome finish(Exchange exchange, KeyLimits key, Tally t) {
        Outcome denied = headers.write(exchange, t);
        if (denied != null) return denied;
        return quota.appliesTo(key) ? quota.take(exchange, key) : Outcome.CONTINUE;
    }

    private CompletionStage<Outcome> finishAsync(Exchange exchange, KeyLimits key, Tally t) {
        Outcome denied = headers.write(exchange, t);
        if (denied != null) return CompletableFuture.completedFuture(denied);
        return quota.appliesTo(key) ? quota.takeAsync(exchange, key) : CompletableFuture.completedFuture(Outcome.CONTINUE);
    }
}
