package io.polygate.limit;

import io.polygate.session.Policy;
import io.polygate.session.Session;
import io.polygate.config.LimitSpec.Window;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The limits of one authenticated key on one API, after its policies are applied: computed per
 * request from the session (which may have changed a moment ago) without changing it.
 *
 * <p>Policies ({@code apply_policies}, and Tyk's older {@code apply_policy_id}) replace the key's
 * own values: of several, the one with the highest effective rate ({@code rate / per}) gives the
 * rate, per and throttle; the largest quota wins ({@code -1}, unlimited, beats any number); their
 * {@code meta_data} is laid over the key's, in list order.
 *
 * @param global         the key's own limit ({@code rate}/{@code per}), or null
 * @param perApi         {@code access_rights[api].limit} {@code rate}/{@code per}, or null
 * @param endpoints      {@code access_rights[api].endpoints} as stored (Tyk's shape:
 *                       {@code [{path, methods: [{name, limit: {rate, per}}]}]}), or null
 * @param quotaMax       requests per quota period; {@code <= 0} = no quota
 * @param quotaPerApi    whether the quota comes from {@code access_rights[api].limit} (own counter)
 * @param meta           metadata for identifiers ({@code $tyk_meta}, {@code rate_limit_pattern})
 */
public record KeyLimits(Window global, Window perApi, List<?> endpoints, long quotaMax, long quotaRemaining, long quotaRenewalSeconds,
                        boolean quotaPerApi, long throttleIntervalSeconds, long throttleRetryLimit,
                        Map<String, Object> smoothing, Map<String, Object> meta) {

    /** The key refers to a policy that does not exist: it is refused (its limits are unknown). */
    public static final class UnknownPolicy extends RuntimeException {
        public UnknownPolicy(String id) { super("policy \"" + id + "\" does not exist"); }
    }

    public boolean hasRateLimit() { return global != null || perApi != null || endpoints != null; }

    public boolean hasQuota() { return quotaMax > 0; }

    public boolean throttles() { return throttleIntervalSeconds > 0 && throttleRetryLimit > 0; }

    /** The rate limit pattern from the metadata ({@code rate_limit_pattern}), or null. */
    public String rateLimitPattern() {
        Object p = meta == null ? null : meta.get("rate_limit_pattern");
        return p instanceof String s && !s.isBlank() ? s : null;
    }

    /** @param policies the policy of an id, null when there is none; null: the key's policies are not applied */
    public static KeyLimits of(Session s, String apiId, Function<String, Policy> policies) {
        double rate = s.rate, per = s.per;
        long quotaMax = s.quota_max, quotaRemaining = s.quota_remaining, renewal = s.quota_renewal_rate;
        long throttleInterval = s.throttle_interval, throttleRetries = s.throttle_retry_limit;
        Map<String, Object> smoothing = s.smoothing;
        Map<String, Object> meta = s.meta_data;
        Session.AccessDefinition access = s.access_rights == null ? null : s.access_rights.get(apiId);
        Map<String, Object> apiLimit = apiLimit(access);
        List<?> endpoints = endpoints(access);

        List<String> ids = s.policyIds();
        if (!ids.isEmpty() && policies != null) {
            Policy best = null, bestQuota = null;
            Map<String, Object> merged = null;
            for (String id : ids) {
                Policy p = policies.apply(id);
                if (p == null || !p.active) throw new UnknownPolicy(id);
                if (p.effectiveRate() > 0 && (best == null || p.effectiveRate() > best.effectiveRate())) best = p;
                if (bestQuota == null || quotaBeats(p.quota_max, bestQuota.quota_max)) bestQuota = p;
                if (p.meta_data != null && !p.meta_data.isEmpty()) {
                    if (merged == null) merged = new LinkedHashMap<>(meta == null ? Map.of() : meta);
                    merged.putAll(p.meta_data);
                }
                Session.AccessDefinition pa = p.access_rights == null ? null : p.access_rights.get(apiId);
                Map<String, Object> pl = apiLimit(pa);
                if (pl != null) apiLimit = pl;
                List<?> pe = endpoints(pa);
                if (pe != null) endpoints = pe;
            }
            if (best != null) {
                rate = best.rate;
                per = best.per;
                throttleInterval = best.throttle_interval;
                throttleRetries = best.throttle_retry_limit;
                if (best.smoothing != null) smoothing = best.smoothing;
            }
            if (bestQuota != null) {
                // a key created with the policy's quota keeps its own remaining count
                if (quotaMax != bestQuota.quota_max) quotaRemaining = bestQuota.quota_max;
                quotaMax = bestQuota.quota_max;
                renewal = bestQuota.quota_renewal_rate;
            }
            if (merged != null) meta = merged;
        }

        Window global = rate > 0 && per > 0 ? new Window(rate, per) : null;
        Window perApi = null;
        boolean quotaPerApi = false;
        if (apiLimit != null) {
            double ar = num(apiLimit.get("rate")), ap = num(apiLimit.get("per"));
            if (ar > 0 && ap > 0) perApi = new Window(ar, ap);
            double aq = num(apiLimit.get("quota_max"));
            if (aq > 0) {
                quotaPerApi = true;
                quotaMax = (long) aq;
                quotaRemaining = (long) num(apiLimit.get("quota_remaining"));
                renewal = (long) num(apiLimit.get("quota_renewal_rate"));
            }
        }
        return new KeyLimits(global, perApi, endpoints, quotaMax, quotaRemaining, renewal, quotaPerApi, throttleInterval,
                throttleRetries, smoothing, meta);
    }

    private static boolean quotaBeats(long a, long b) {
        if (b == -1) return false;
        return a == -1 || a > b;
    }

    private static Map<String, Object> apiLimit(Session.AccessDefinition ad) {
        return ad == null ? null : ad.limit;
    }

    private static List<?> endpoints(Session.AccessDefinition ad) {
        Object e = ad == null ? null : ad.extra().get("endpoints");
        return e instanceof List<?> l && !l.isEmpty() ? l : null;
    }

    static double num(Object o) {
        if (o instanceof Number n) return n.doubleValue();
        if (o instanceof String str) {
            try {
                return Double.parseDouble(str);
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }

    /** What the quota counter of a brand-new period starts at. */
    public long usedAtStart() {
        return quotaRemaining > 0 && quotaRemaining < quotaMax ? quotaMax - quotaRemaining : 0;
    }
}
