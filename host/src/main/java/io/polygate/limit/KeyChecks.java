package io.polygate.limit;

import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.config.LimitDefinitions;
import io.polygate.config.LimitSpec.Window;
import io.polygate.session.Policy;
import io.polygate.session.PolicyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The rate limits an authenticated key brings to one API, after its policies: per endpoint
 * ({@code access_rights[api].endpoints}, Tyk's shape), per API ({@code access_rights[api].limit}),
 * then the key's own {@code rate}/{@code per}, smoothed when the key asks for it; and the key's
 * throttling, which turns a denial into a wait and a second look. Thread-safe.
 */
final class KeyChecks {
    private final String apiId;
    private final Limits limits;

    KeyChecks(String apiId, Limits limits) {
        this.apiId = apiId;
        this.limits = limits;
    }

    /**
     * The limits of the exchange's key on this API, its policies applied: those auth read with the
     * session, else from the policy store (which may block on a cache miss).
     */
    KeyLimits limitsOf(Exchange exchange) throws KeyLimits.UnknownPolicy {
        Map<String, Policy> read = exchange.policies();
        PolicyStore store = limits.policies();
        return KeyLimits.of(exchange.session(), apiId, read != null ? read::get : store == null ? null : store::find);
    }

    /** Whether {@link #limitsOf} may read the policy store for this exchange. */
    static boolean readsStore(Exchange exchange) {
        return exchange.policies() == null && exchange.session() != null && !exchange.session().policyIds().isEmpty();
    }

    /** Adds the checks of {@code key}'s rate limits that match this request. */
    void plan(Checks checks, KeyLimits key) {
        String id = counter(checks.exchange(), key);
        if (key.endpoints() != null) planEndpoints(checks, key.endpoints(), id);
        if (key.perApi() != null) checks.add("key-api", CounterIds.keyApi(id, apiId), key.perApi());
        if (key.global() == null) return;
        Smoothing.Settings smooth = Smoothing.of(key.smoothing());
        if (smooth == null) {
            checks.add("key", id, key.global());
        } else {
            double rate = key.global().rate();
            Window allowance = new Window(limits.smoothing().allowance(id, smooth, rate), key.global().per());
            checks.addSmoothed("key", id, allowance, smooth, rate);
        }
    }

    /** Key per-endpoint limits in Tyk's shape; entries that do not parse are skipped (they were stored unchecked). */
    private void planEndpoints(Checks checks, List<?> entries, String keyCounter) {
        String path = checks.path();
        String method = checks.method();
        for (Object o : entries) {
            if (!(o instanceof Map<?, ?> entry) || !(entry.get("path") instanceof String p)) continue;
            if (!(entry.get("methods") instanceof List<?> methods)) continue;
            LimitDefinitions.PathPattern pattern = limits.keyEndpointPath(p);
            if (pattern == null || !pattern.pattern().matcher(path).matches()) continue;
            for (Object mo : methods) {
                if (!(mo instanceof Map<?, ?> m) || !(m.get("name") instanceof String name)) continue;
                if (!name.equalsIgnoreCase(method) && !name.equals("*")) continue;
                if (!(m.get("limit") instanceof Map<?, ?> limit)) continue;
                double rate = KeyLimits.num(limit.get("rate")), per = KeyLimits.num(limit.get("per"));
                if (rate <= 0 || per <= 0) continue;
                checks.add("key-endpoint", CounterIds.keyEndpoint(keyCounter, apiId, name, p), new Window(rate, per));
            }
        }
    }

    /** The key's counter: its {@code rate_limit_pattern} when that resolves, else the credential. */
    private String counter(Exchange exchange, KeyLimits key) {
        String pattern = key.rateLimitPattern();
        if (pattern != null) {
            Identifier id = limits.pattern(pattern);
            String v = id == null ? null : id.resolve(exchange, null, key.meta());
            if (v != null) return CounterIds.keyPattern(v);
        }
        return CounterIds.key(exchange.keyId());
    }

    /**
     * Throttling after a denial ({@code throttle_interval}, {@code throttle_retry_limit}): waits the
     * interval on a timer (no thread held), then runs {@code recheck} on a worker, up to the retry
     * limit; the last tally goes to {@code finish}.
     */
    CompletableFuture<Outcome> throttle(KeyLimits key, Supplier<Tally> recheck, Function<Tally, Outcome> finish) {
        limits.metrics().throttleRetries.increment();
        return retry(key, recheck, finish, 1);
    }

    private CompletableFuture<Outcome> retry(KeyLimits key, Supplier<Tally> recheck, Function<Tally, Outcome> finish, int attempt) {
        return CompletableFuture.supplyAsync(recheck,
                        CompletableFuture.delayedExecutor(key.throttleIntervalSeconds(), TimeUnit.SECONDS, limits.executor()))
                .thenCompose(t -> {
                    if (t.denied() != null && attempt < key.throttleRetryLimit()) {
                        limits.metrics().throttleRetries.increment();
                        return retry(key, recheck, finish, attempt + 1);
                    }
                    if (t.denied() == null) limits.metrics().throttlePassed.increment();
                    return CompletableFuture.completedFuture(finish.apply(t));
                });
    }
}
