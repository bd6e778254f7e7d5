package io.polygate.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * An API with several upstream targets: Tyk's {@code proxy.enable_load_balancing} +
 * {@code proxy.target_list}, or Polygate's {@code upstream} section.
 *
 * @param targets  at least one, HTTP(S) URLs
 * @param balance  how a request picks its target among the healthy ones
 * @param retries  how many other targets an idempotent request without a streamed body is sent to
 *                 when its target fails before answering, or answers 502 or 503
 * @param active   the active health check, or null for none
 * @param passive  when proxied failures take a target out of rotation
 */
public record UpstreamSpec(List<Target> targets, Balance balance, int retries, ActiveCheck active, PassiveCheck passive) {
    public UpstreamSpec {
        targets = List.copyOf(targets);
    }

    /** @param weight its share of the requests relative to the others' (1 to 1000) */
    public record Target(URI url, int weight) {}

    public enum Balance {
        /** each target in turn, as often as its weight (nginx's smooth weighted round robin) */
        ROUND_ROBIN,
        /** the target with the fewest requests in flight relative to its weight */
        LEAST_REQUESTS
    }

    /**
     * A GET of {@code path} on each target every {@code interval}: a 2xx or 3xx within
     * {@code timeout} is a success. {@code unhealthyAfter} failures in a row take a target out,
     * {@code healthyAfter} successes in a row bring it back.
     */
    public record ActiveCheck(String path, Duration interval, Duration timeout, int healthyAfter, int unhealthyAfter) {}

    /** {@code failures} proxied failures in a row (no answer, or 502, 503, 504) take a target out for {@code cooldown}; 0 = off. */
    public record PassiveCheck(int failures, Duration cooldown) {
        public static final PassiveCheck DEFAULT = new PassiveCheck(3, Duration.ofSeconds(10));
    }
}
