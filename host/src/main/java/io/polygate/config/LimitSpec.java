package io.polygate.config;

import java.util.List;
import java.util.Objects;

/**
 * One limit as configured: one or more windows that must all pass (Kong's {@code second}/{@code
 * minute}/..., Tyk's {@code rate}/{@code per}), an optional shared counter name, and an optional
 * identifier expression that keys the counter ({@code $headers.APP-KEY}, {@code $ip}, ...).
 *
 * @param windows at least one, each {@code rate > 0} per {@code per > 0} seconds
 * @param counter endpoints naming the same counter draw from one allowance; null = own counter
 * @param key     identifier expression ({@code docs/limits.md}); null = the scope's default
 */
public record LimitSpec(List<Window> windows, String counter, String key) {
    public LimitSpec {
        windows = List.copyOf(windows);
        if (windows.isEmpty()) throw new IllegalArgumentException("a limit needs at least one window");
    }

    public static LimitSpec of(double rate, double per) { return new LimitSpec(List.of(new Window(rate, per)), null, null); }

    /** {@code rate} requests per {@code per} seconds. */
    public record Window(double rate, double per) {
        public Window {
            if (!(rate > 0) || !(per > 0)) throw new IllegalArgumentException("rate and per must be > 0");
        }
    }

    /**
     * A per-endpoint limit ({@code extended_paths.rate_limit[]}): requests whose path (after the
     * listen path) matches {@code path} and whose method is {@code method} (null = any).
     *
     * @param path   as written: a regex, with {@code {name}} standing for one path segment
     * @param params the names of the {@code {name}} segments, in order (regex groups 1..n)
     */
    public record Endpoint(String path, com.google.re2j.Pattern pattern, List<String> params, String method, LimitSpec limit) {
        public Endpoint {
            Objects.requireNonNull(pattern);
            params = List.copyOf(params);
        }
    }
}
