package io.polygate.limit;

import com.google.re2j.Matcher;
import io.polygate.chain.Exchange;
import io.polygate.config.ApiDefinition;
import io.polygate.config.LimitSpec;
import io.polygate.config.LimitSpec.Window;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An API's own rate limits, resolved once from its definition: per endpoint
 * ({@code extended_paths.rate_limit}, in definition order, every matching entry), then the whole
 * API ({@code global_rate_limit}). Their counters are shared by all callers unless a limit's
 * {@code key} expression splits them. Immutable and thread-safe.
 */
final class ApiChecks {
    /** One configured limit; {@code endpoint} and {@code method} are null for the API-wide one. */
    private record Limit(String scope, LimitSpec.Endpoint endpoint, String method, String counterBase,
                         Window[] windows, Identifier key) {}

    private final Limit[] endpoints;
    private final Limit global;

    ApiChecks(ApiDefinition api) {
        String apiId = api.apiId();
        List<LimitSpec.Endpoint> eps = api.limits().endpoints();
        this.endpoints = new Limit[eps.size()];
        for (int i = 0; i < eps.size(); i++) {
            LimitSpec.Endpoint e = eps.get(i);
            endpoints[i] = new Limit("endpoint", e, e.method(), CounterIds.apiEndpoint(apiId, i, e.limit().counter()),
                    windows(e.limit()), identifier(e.limit()));
        }
        LimitSpec g = api.limits().global();
        this.global = g == null ? null
                : new Limit("api", null, null, CounterIds.api(apiId, g.counter()), windows(g), identifier(g));
    }

    private static Window[] windows(LimitSpec limit) { return limit.windows().toArray(Window[]::new); }

    private static Identifier identifier(LimitSpec limit) { return limit.key() == null ? null : Identifier.parse(limit.key()); }

    boolean isEmpty() { return endpoints.length == 0 && global == null; }

    /** Adds the checks of the limits that match this request; {@code key} (may be null) gives {@code $tyk_meta}. */
    void plan(Checks checks, KeyLimits key) {
        if (endpoints.length > 0) {
            String path = checks.path();
            String method = checks.method();
            for (Limit l : endpoints) {
                if (l.method != null && !l.method.equals(method)) continue;
                Matcher m = l.endpoint.pattern().matcher(path);
                if (!m.matches()) continue;
                checks.add(l.scope, counter(l, checks.exchange(), pathParams(l.endpoint, m), key), l.windows);
            }
        }
        if (global != null) checks.add(global.scope, counter(global, checks.exchange(), null, key), global.windows);
    }

    /** The endpoint's {@code {name}} values, or null when its path has none. */
    private static Map<String, String> pathParams(LimitSpec.Endpoint endpoint, Matcher m) {
        if (endpoint.params().isEmpty()) return null;
        Map<String, String> params = new HashMap<>(4);
        for (int i = 0; i < endpoint.params().size(); i++) params.put(endpoint.params().get(i), m.group(i + 1));
        return params;
    }

    private static String counter(Limit l, Exchange exchange, Map<String, String> params, KeyLimits key) {
        if (l.key == null) return l.counterBase;
        Map<String, Object> meta = key != null ? key.meta() : exchange.session() == null ? null : exchange.session().meta_data;
        return CounterIds.perCaller(l.counterBase, l.key.resolve(exchange, params, meta), exchange.keyId(), exchange.clientAddress());
    }
}
