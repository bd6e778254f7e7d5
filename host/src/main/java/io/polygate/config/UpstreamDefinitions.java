package io.polygate.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads an API's upstream targets: Polygate's {@code upstream} section, or Tyk's
 * {@code proxy.enable_load_balancing} with {@code proxy.target_list} (a URL listed twice there has
 * twice the weight, as in Tyk). Each problem is reported with its path.
 */
final class UpstreamDefinitions {
    private UpstreamDefinitions() {}

    /** The API's targets, or null when it has the single {@code target_url}. */
    static UpstreamSpec parse(Node api) {
        Node own = api.child("upstream");
        if (own.json().isObject()) return own(own);
        if (!own.json().isMissingNode() && !own.json().isNull()) {
            api.errors().wrongType(own.path(), "an object {targets: [{url, weight}], balance, retries, health_check, passive_health_check}");
            return null;
        }
        Node proxy = api.child("proxy");
        if (!proxy.bool("enable_load_balancing", false)) return null;
        Node list = proxy.child("target_list");
        if (!list.json().isArray() || list.json().isEmpty()) {
            api.errors().add(list.path(), "must list the targets when proxy.enable_load_balancing is true");
            return null;
        }
        Map<URI, Integer> weights = new LinkedHashMap<>();
        for (int i = 0; i < list.json().size(); i++) {
            URI url = urlAt(list, i);
            if (url != null) weights.merge(url, 1, Integer::sum);
        }
        List<UpstreamSpec.Target> targets = new ArrayList<>();
        weights.forEach((url, w) -> targets.add(new UpstreamSpec.Target(url, w)));
        return targets.isEmpty() ? null : new UpstreamSpec(targets, UpstreamSpec.Balance.ROUND_ROBIN, 1, null, UpstreamSpec.PassiveCheck.DEFAULT);
    }

    private static UpstreamSpec own(Node u) {
        Node list = u.child("targets");
        List<UpstreamSpec.Target> targets = new ArrayList<>();
        if (!list.json().isArray() || list.json().isEmpty()) u.errors().add(list.path(), "must list at least one target {url, weight}");
        else for (int i = 0; i < list.json().size(); i++) {
            Node t = list.element(i);
            URI url = t.json().isTextual() ? urlAt(list, i) : t.requireObject() ? several(t.url("url", true), t.pathOf("url"), t) : null;
            int weight = t.json().isObject() ? (int) t.integer("weight", 1, 1, 1000) : 1;
            if (url != null) targets.add(new UpstreamSpec.Target(url, weight));
        }
        String balance = u.string("balance", "round_robin").toLowerCase(Locale.ROOT);
        UpstreamSpec.Balance b = switch (balance) {
            case "round_robin", "weighted", "weighted_round_robin" -> UpstreamSpec.Balance.ROUND_ROBIN;
            case "least_requests", "least_conn", "least_connections" -> UpstreamSpec.Balance.LEAST_REQUESTS;
            default -> {
                u.errors().unknownValue(u.pathOf("balance"), balance, "round_robin, weighted, least_requests");
                yield UpstreamSpec.Balance.ROUND_ROBIN;
            }
        };
        int retries = (int) u.integer("retries", 1, 0, 10);
        UpstreamSpec.ActiveCheck active = active(u.child("health_check"));
        UpstreamSpec.PassiveCheck passive = passive(u.child("passive_health_check"));
        return targets.isEmpty() ? null : new UpstreamSpec(targets, b, retries, active, passive);
    }

    private static UpstreamSpec.ActiveCheck active(Node h) {
        if (h.json().isMissingNode() || h.json().isNull() || !h.requireObject()) return null;
        String path = h.string("path", "/");
        if (!path.startsWith("/")) h.errors().add(h.pathOf("path"), "\"" + path + "\" must be a path starting with '/'");
        Duration interval = h.duration("interval", Duration.ofSeconds(5));
        Duration timeout = h.duration("timeout", Duration.ofSeconds(2));
        if (interval.toMillis() < 50) h.errors().outOfRange(h.pathOf("interval"), interval.toMillis() + "ms", ">= 50ms");
        if (timeout.toMillis() < 1) h.errors().outOfRange(h.pathOf("timeout"), timeout.toMillis() + "ms", ">= 1ms");
        return new UpstreamSpec.ActiveCheck(path, interval, timeout, (int) h.integer("healthy_after", 2, 1, 100),
                (int) h.integer("unhealthy_after", 2, 1, 100));
    }

    private static UpstreamSpec.PassiveCheck passive(Node p) {
        if (p.json().isMissingNode() || p.json().isNull() || !p.requireObject()) return UpstreamSpec.PassiveCheck.DEFAULT;
        return new UpstreamSpec.PassiveCheck((int) p.integer("failures", 3, 0, 1000), p.duration("cooldown", Duration.ofSeconds(10)));
    }

    /** The URL at {@code list[i]} (a string), or null with the error recorded. */
    private static URI urlAt(Node list, int i) {
        Node entry = list.element(i);
        return several(entry.asUrl(), entry.path(), entry);
    }

    /** {@code url} as one of several targets: null, with the error at {@code path}, for {@code echo://}. */
    private static URI several(URI url, String path, Node at) {
        if (url == null || !"echo".equalsIgnoreCase(url.getScheme())) return url;
        at.errors().add(path, "echo:// cannot be one of several targets");
        return null;
    }
}
