package io.polygate.limit;

import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.chain.Phase;
import io.polygate.chain.Step;
import io.polygate.config.ApiDefinition;
import io.polygate.config.LimitSpec;
import io.polygate.config.LimitSpec.Window;
import io.polygate.session.Session;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.eclipse.jetty.http.HttpFields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An API's rate limits and quota, in the LIMIT phase. Scopes are checked in this order, each window
 * of each limit in turn, stopping at the first denial: API per-endpoint
 * ({@code extended_paths.rate_limit}, in definition order, every matching entry), API
 * ({@code global_rate_limit}), key per-endpoint ({@code access_rights[api].endpoints}, Tyk's
 * shape), key per-API ({@code access_rights[api].limit}), key global (the
 * session's {@code rate}/{@code per}, after policies); then the quota. Key scopes need an
 * authenticated exchange ({@link Exchange#authenticate}); {@code disable_rate_limit} turns off the
 * key rate scopes, {@code disable_quota} the quota.
 *
 * <p>Every response of a limited request carries {@code X-RateLimit-Limit}, {@code
 * -Remaining} and {@code -Reset} (epoch seconds) of the tightest limit checked; a denial is a 429
 * with {@code Retry-After}, unless the key throttles ({@code throttle_interval},
 * {@code throttle_retry_limit}): then the request waits, without a thread, and is checked again.
 * With Redis the request is suspended ({@link Outcome.Suspend}) while its checks run, one script
 * per check, each sent when the one before allowed; the chain goes on when the last reply is in.
 * A quota adds {@code X-Quota-Limit}, {@code -Remaining}, {@code -Reset}; over it: 403.
 */
public final class LimitStep implements Step {
    private static final Logger LOG = LoggerFactory.getLogger(LimitStep.class);
    public static final String TOO_MANY = "Rate limit exceeded";
    public static final String QUOTA_EXCEEDED = "Quota exceeded";
    /** The answers are the same every time: built once, not per denied request. */
    private static final Outcome.Respond TOO_MANY_REQUESTS = Outcome.error(429, TOO_MANY);
    private static final Outcome.Respond QUOTA_EXCEEDED_ANSWER = Outcome.error(403, QUOTA_EXCEEDED);

    /** One configured API-level limit, resolved once. */
    private record ApiCheck(String scope, LimitSpec.Endpoint endpoint, String method, String counterBase,
                            Window[] windows, Identifier key) {}

    private final String apiId;
    private final String listenPath;
    private final Limits limits;
    private final RateLimiter limiter;
    private final ApiCheck[] endpoints;
    private final ApiCheck global;
    private final boolean keyRates;
    private final boolean quota;
    private final boolean mayHaveKeys;

    public LimitStep(ApiDefinition api, Limits limits) {
        this.apiId = api.apiId();
        this.listenPath = api.listenPath();
        this.limits = limits;
        this.limiter = limits.limiter(api.limits().algorithm());
        List<LimitSpec.Endpoint> eps = api.limits().endpoints();
        this.endpoints = new ApiCheck[eps.size()];
        for (int i = 0; i < eps.size(); i++) {
            LimitSpec.Endpoint e = eps.get(i);
            String base = e.limit().counter() != null ? "c:" + e.limit().counter() : "api:" + apiId + ":ep" + i;
            endpoints[i] = new ApiCheck("endpoint", e, e.method(), base, e.limit().windows().toArray(Window[]::new),
                    e.limit().key() == null ? null : Identifier.parse(e.limit().key()));
        }
        LimitSpec g = api.limits().global();
        this.global = g == null ? null : new ApiCheck("api", null, null,
                g.counter() != null ? "c:" + g.counter() : "api:" + apiId, g.windows().toArray(Window[]::new),
                g.key() == null ? null : Identifier.parse(g.key()));
        this.keyRates = !api.disableRateLimit();
        this.quota = !api.disableQuota();
        this.mayHaveKeys = api.auth().type() != ApiDefinition.AuthType.NONE || api.customMiddlewareBundle() != null;
    }

    @Override public String name() { return "limits"; }

    @Override public Phase phase() { return Phase.LIMIT; }

    /**
     * Rate and quota checks never hold the thread: in memory they are immediate, with Redis they
     * suspend the request until the reply comes. Only resolving a key's policies reads the store
     * (cached), so only an API that can have keys, with a shared store, may block here.
     */
    @Override public boolean mayBlock() { return limits.isShared() && mayHaveKeys; }

    /** Whether an API needs this step at all: it has its own limits, or authenticated keys may bring theirs. */
    public static boolean applies(ApiDefinition api) {
        if (!api.limits().isEmpty()) return true;
        return api.auth().type() != ApiDefinition.AuthType.NONE && (!api.disableRateLimit() || !api.disableQuota());
    }

    @Override
    public Outcome apply(Exchange exchange) {
        KeyLimits key = null;
        if (exchange.session() != null && exchange.keyId() != null && (keyRates || quota)) {
            try {
                key = KeyLimits.of(exchange.session(), apiId, limits.policies());
            } catch (KeyLimits.UnknownPolicy e) {
                LOG.warn("api={} key={}: refused: {}", apiId, io.polygate.session.SessionStore.redact(exchange.keyId()), e.getMessage());
                return Outcome.error(403, Session.NO_ACCESS);
            }
        }
        boolean keyRate = key != null && keyRates && key.hasRateLimit();
        if (endpoints.length == 0 && global == null && !keyRate && (key == null || !quota || !key.hasQuota()))
            return Outcome.CONTINUE;
        KeyLimits k = key;
        List<Check> checks = plan(exchange, key, keyRate);
        if (limits.isShared()) {
            // one round trip per check, each sent when the one before has answered; no thread waits
            return new Outcome.Suspend(runAsync(checks, 0, new Tally()).thenCompose(t -> {
                if (t.denied != null && k != null && k.throttles()) return startThrottle(exchange, k, keyRate);
                return finishAsync(exchange, k, t);
            }));
        }
        Tally t = run(checks);
        if (t.denied != null && key != null && key.throttles()) return new Outcome.Suspend(startThrottle(exchange, key, keyRate));
        return finish(exchange, key, t);
    }

    private CompletableFuture<Outcome> startThrottle(Exchange exchange, KeyLimits key, boolean keyRate) {
        limits.metrics().throttleRetries.increment();
        return throttle(exchange, key, keyRate, 1);
    }

    /** Waits {@code throttle_interval} on a timer (no thread held), then checks again on a worker, up to the retry limit. */
    private CompletableFuture<Outcome> throttle(Exchange exchange, KeyLimits key, boolean keyRate, int attempt) {
        return CompletableFuture.supplyAsync(() -> run(plan(exchange, key, keyRate)),
                        CompletableFuture.delayedExecutor(key.throttleIntervalSeconds(), TimeUnit.SECONDS, limits.executor()))
                .thenCompose(t -> {
                    if (t.denied != null && attempt < key.throttleRetryLimit()) {
                        limits.metrics().throttleRetries.increment();
                        return throttle(exchange, key, keyRate, attempt + 1);
                    }
                    if (t.denied == null) limits.metrics().throttlePassed.increment();
                    return CompletableFuture.completedFuture(finish(exchange, key, t));
                });
    }

    /** One limiter call, in the order the scopes are checked; {@code smooth} observes its decision (key global with smoothing). */
    private record Check(String scope, String counter, Window window, Smoothing.Settings smooth, double smoothRate) {}

    /** The checks of this request, in order; the first denial ends them. */
    private List<Check> plan(Exchange exchange, KeyLimits key, boolean keyRate) {
        List<Check> checks = new ArrayList<>(2);
        if (endpoints.length > 0) {
            String path = relativePath(exchange);
            String method = exchange.clientRequest().getMethod();
            for (ApiCheck c : endpoints) {
                if (c.method != null && !c.method.equals(method)) continue;
                Matcher m = c.endpoint.pattern().matcher(path);
                if (!m.matches()) continue;
                Map<String, String> params = null;
                if (!c.endpoint.params().isEmpty()) {
                    params = new HashMap<>(4);
                    for (int i = 0; i < c.endpoint.params().size(); i++) params.put(c.endpoint.params().get(i), m.group(i + 1));
                }
                add(checks, c.scope, counter(c, exchange, params, key), c.windows);
            }
        }
        if (global != null) add(checks, global.scope, counter(global, exchange, null, key), global.windows);
        if (keyRate) {
            String id = keyCounter(exchange, key);
            if (key.endpoints() != null) planKeyEndpoints(checks, exchange, key.endpoints(), id);
            if (key.perApi() != null) add(checks, "key-api", id + ":api:" + apiId, key.perApi());
            if (key.global() != null) {
                Smoothing.Settings smooth = Smoothing.of(key.smoothing());
                if (smooth == null) {
                    add(checks, "key", id, key.global());
                } else {
                    double rate = key.global().rate();
                    Window w = new Window(limits.smoothing().allowance(id, smooth, rate), key.global().per());
                    checks.add(new Check("key", id, w, smooth, rate));
                }
            }
        }
        return checks;
    }

    /** A limit's windows, each its own counter when there are several. */
    private static void add(List<Check> checks, String scope, String counter, Window... windows) {
        for (int i = 0; i < windows.length; i++)
            checks.add(new Check(scope, windows.length == 1 ? counter : counter + ":w" + i, windows[i], null, 0));
    }

    private Tally run(List<Check> checks) {
        Tally t = new Tally();
        for (Check c : checks) {
            if (!record(t, c, limiter.tryAcquire(c.counter, c.window.rate(), c.window.per(), 1))) break;
        }
        return t;
    }

    private CompletionStage<Tally> runAsync(List<Check> checks, int from, Tally t) {
        if (from == checks.size()) return CompletableFuture.completedFuture(t);
        Check c = checks.get(from);
        return limiter.tryAcquireAsync(c.counter, c.window.rate(), c.window.per(), 1)
                .thenCompose(d -> record(t, c, d) ? runAsync(checks, from + 1, t) : CompletableFuture.completedFuture(t));
    }

    /** Adds a decision to the tally; false when it denies. */
    private boolean record(Tally t, Check c, Decision d) {
        t.add(c.scope, c.window, d);
        if (c.smooth != null)
            limits.smoothing().observe(c.counter, c.smooth, c.smoothRate, d.limit() - d.remaining() + (d.allowed() ? 0 : 1), limits.clock().millis());
        return d.allowed();
    }

    /** Key per-endpoint limits in Tyk's shape; entries that do not parse are skipped (they were stored unchecked). */
    private void planKeyEndpoints(List<Check> checks, Exchange exchange, List<?> entries, String keyCounter) {
        String path = relativePath(exchange);
        String method = exchange.clientRequest().getMethod();
        for (Object o : entries) {
            if (!(o instanceof Map<?, ?> entry) || !(entry.get("path") instanceof String p)) continue;
            if (!(entry.get("methods") instanceof List<?> methods)) continue;
            io.polygate.config.LimitDefinitions.PathPattern pattern = limits.keyEndpointPath(p);
            if (pattern == null || !pattern.pattern().matcher(path).matches()) continue;
            for (Object mo : methods) {
                if (!(mo instanceof Map<?, ?> m) || !(m.get("name") instanceof String name)) continue;
                if (!name.equalsIgnoreCase(method) && !name.equals("*")) continue;
                if (!(m.get("limit") instanceof Map<?, ?> limit)) continue;
                double rate = KeyLimits.num(limit.get("rate")), per = KeyLimits.num(limit.get("per"));
                if (rate <= 0 || per <= 0) continue;
                String counter = keyCounter + ":api:" + apiId + ":ep:" + name.toUpperCase(java.util.Locale.ROOT) + " " + p;
                add(checks, "key-endpoint", counter, new Window(rate, per));
            }
        }
    }

    /** API-scope counters are shared by all callers unless a key expression splits them. */
    private static String counter(ApiCheck c, Exchange exchange, Map<String, String> params, KeyLimits key) {
        if (c.key == null) return c.counterBase;
        String id = c.key.resolve(exchange, params, key == null ? metaOf(exchange) : key.meta());
        if (id == null) id = exchange.keyId() != null ? "key:" + exchange.keyId() : "ip:" + exchange.clientAddress();
        else id = "id:" + id;
        return c.counterBase + ":" + id;
    }

    private static Map<String, Object> metaOf(Exchange exchange) {
        return exchange.session() == null ? null : exchange.session().meta_data;
    }

    /** The key's counter: its {@code rate_limit_pattern} when that resolves, else the credential. */
    private String keyCounter(Exchange exchange, KeyLimits key) {
        String pattern = key.rateLimitPattern();
        if (pattern != null) {
            Identifier id = limits.pattern(pattern);
            String v = id == null ? null : id.resolve(exchange, null, key.meta());
            if (v != null) return "pattern:" + v;
        }
        return "key:" + exchange.keyId();
    }

    private Outcome finish(Exchange exchange, KeyLimits key, Tally t) {
        Outcome denied = rateHeaders(exchange, t);
        if (denied != null || !hasQuota(key)) return denied != null ? denied : Outcome.CONTINUE;
        return quotaOutcome(exchange, limits.quota().consume(quotaCounter(exchange, key), key.quotaMax(), key.usedAtStart(), key.quotaRenewalSeconds(), 1));
    }

    private CompletionStage<Outcome> finishAsync(Exchange exchange, KeyLimits key, Tally t) {
        Outcome denied = rateHeaders(exchange, t);
        if (denied != null || !hasQuota(key)) return CompletableFuture.completedFuture(denied != null ? denied : Outcome.CONTINUE);
        return limits.quota().consumeAsync(quotaCounter(exchange, key), key.quotaMax(), key.usedAtStart(), key.quotaRenewalSeconds(), 1)
                .thenApply(q -> quotaOutcome(exchange, q));
    }

    /** Sets the rate limit headers of the tightest check; the 429 when a check denied, else null. */
    private Outcome rateHeaders(Exchange exchange, Tally t) {
        if (t.tightest == null) return null;
        HttpFields.Mutable h = exchange.responseHeaders();
        Decision d = t.tightest;
        long nowMillis = limits.clock().millis();
        h.put("X-RateLimit-Limit", Long.toString(d.limit()));
        h.put("X-RateLimit-Remaining", Long.toString(d.remaining()));
        h.put("X-RateLimit-Reset", Long.toString((nowMillis + d.resetAfter().toMillis() + 999) / 1000));
        if (limits.config().ietfHeaders()) {
            long w = Math.max(1, Math.round(t.tightestWindow.per()));
            h.put("RateLimit-Policy", "\"" + t.tightestScope + "\";q=" + d.limit() + ";w=" + w);
            h.put("RateLimit", "\"" + t.tightestScope + "\";r=" + d.remaining() + ";t=" + seconds(d.allowed() ? d.resetAfter().toMillis() : d.retryAfter().toMillis()));
        }
        if (t.denied == null) return null;
        limits.metrics().rateLimited.increment();
        h.put("Retry-After", Long.toString(seconds(t.denied.retryAfter().toMillis())));
        return TOO_MANY_REQUESTS;
    }

    private boolean hasQuota(KeyLimits key) {
        return key != null && quota && key.hasQuota();
    }

    private String quotaCounter(Exchange exchange, KeyLimits key) {
        return "quota:" + exchange.keyId() + (key.quotaPerApi() ? ":api:" + apiId : "");
    }

    private Outcome quotaOutcome(Exchange exchange, QuotaCounter.Result q) {
        HttpFields.Mutable h = exchange.responseHeaders();
        h.put("X-Quota-Limit", Long.toString(q.max()));
        h.put("X-Quota-Remaining", Long.toString(q.remaining()));
        if (q.renewsAtMillis() > 0) h.put("X-Quota-Reset", Long.toString((q.renewsAtMillis() + 999) / 1000));
        if (q.allowed()) return Outcome.CONTINUE;
        limits.metrics().quotaExceeded.increment();
        return QUOTA_EXCEEDED_ANSWER;
    }

    private static long seconds(long millis) { return Math.max(1, (millis + 999) / 1000); }

    /** The request path below the listen path ({@code /log/mobile} for {@code /api/log/mobile} on {@code /api}). */
    private String relativePath(Exchange exchange) {
        String p = exchange.clientRequest().getHttpURI().getCanonicalPath();
        if (p == null) return "/";
        if (!listenPath.equals("/") && p.startsWith(listenPath)) p = p.substring(listenPath.length());
        return p.isEmpty() ? "/" : p;
    }

    /** The decisions of one request's checks: the tightest one so far, and the denial if any. */
    private static final class Tally {
        Decision tightest;
        String tightestScope;
        Window tightestWindow;
        Decision denied;

        void add(String scope, Window w, Decision d) {
            if (!d.allowed()) denied = d;
            if (tightest == null || !d.allowed() || (tightest.allowed() && d.remaining() < tightest.remaining())) {
                tightest = d;
                tightestScope = scope;
                tightestWindow = w;
            }
        }
    }
}
