package io.polygate.config;

import java.time.Duration;

/**
 * An API's basic auth settings (Tyk Classic {@code basic_auth}).
 *
 * @param cacheTtl how long a verified username and password are taken without checking the bcrypt
 *                 hash again ({@code basic_auth.cache_ttl} seconds, default 60);
 *                 {@link Duration#ZERO} with {@code basic_auth.disable_caching: true}
 */
public record BasicAuthSpec(Duration cacheTtl) {
    public static final BasicAuthSpec DEFAULT = new BasicAuthSpec(Duration.ofSeconds(60));

    static BasicAuthSpec parse(Node api) {
        Node basic = api.child("basic_auth");
        long ttl = basic.integer("cache_ttl", 0, 0, Integer.MAX_VALUE);
        if (basic.bool("disable_caching", false)) return new BasicAuthSpec(Duration.ZERO);
        return ttl > 0 ? new BasicAuthSpec(Duration.ofSeconds(ttl)) : DEFAULT;
    }
}
