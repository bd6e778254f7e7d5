package io.polygate.config;

import java.util.Locale;

/**
 * The rate limiting algorithms, each with an in-memory and a Redis implementation that behave the
 * same ({@code docs/limits.md}). Chosen gateway-wide ({@code rate_limit.algorithm}) and per API
 * ({@code rate_limit_algorithm}).
 */
public enum Algorithm {
    /** Burst of {@code rate}, refilled continuously at {@code rate/per}. */
    TOKEN_BUCKET("token_bucket"),
    /** Exact: at most {@code rate} requests in any {@code per}-second span (Tyk's Redis rate limiter). */
    SLIDING_LOG("sliding_log"),
    /** One counter per aligned window of {@code per} seconds; up to 2x {@code rate} across a boundary. */
    FIXED_WINDOW("fixed_window"),
    /** Kong's sliding window: the previous window's count weighted by how much of it is still in view. */
    SLIDING_WINDOW("sliding_window"),
    /** The sliding log, but once denied the counter is blocked for {@code per} seconds (Tyk's sentinel). */
    SENTINEL("sentinel");

    private final String configName;

    Algorithm(String configName) { this.configName = configName; }

    public String configName() { return configName; }

    /** The algorithm named {@code name} in config (case-insensitive, '-' or '_'), or null. */
    public static Algorithm fromConfig(String name) {
        if (name == null) return null;
        String n = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (Algorithm a : values()) if (a.configName.equals(n)) return a;
        return switch (n) {
            case "redis", "rolling_window", "spike_arrest" -> SLIDING_LOG;
            case "drl", "leaky_bucket" -> TOKEN_BUCKET;
            default -> null;
        };
    }

    /** For error messages. */
    public static String names() {
        StringBuilder b = new StringBuilder();
        for (Algorithm a : values()) b.append(b.isEmpty() ? "" : ", ").append(a.configName);
        return b.toString();
    }
}
