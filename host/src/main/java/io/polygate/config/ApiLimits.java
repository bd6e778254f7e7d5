package io.polygate.config;

import java.util.List;

/**
 * The limits an API definition declares for itself (the key's own limits come from its session).
 *
 * @param algorithm  {@code rate_limit_algorithm}, or null for the gateway default
 * @param global     {@code global_rate_limit}: one allowance for all callers of the API, or null
 * @param endpoints  {@code extended_paths.rate_limit}, in definition order
 */
public record ApiLimits(Algorithm algorithm, LimitSpec global, List<LimitSpec.Endpoint> endpoints) {
    public static final ApiLimits NONE = new ApiLimits(null, null, List.of());

    public ApiLimits {
        endpoints = List.copyOf(endpoints);
    }

    public boolean isEmpty() { return global == null && endpoints.isEmpty(); }
}
