package io.polygate.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.polygate.sdk.regex.BoundedRegex;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/** Reads the limit parts of the config and of API definitions, reporting each problem with its path. */
public final class LimitDefinitions {
    private static final Pattern PARAM = Pattern.compile("\\{([^{}/]+)}");
    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT");

    private LimitDefinitions() {}

    /** The gateway's {@code rate_limit} section. */
    public static RateLimitConfig rateLimit(Node n) {
        if (n.json().isMissingNode() || n.json().isNull()) return RateLimitConfig.DEFAULT;
        if (!n.requireObject()) return RateLimitConfig.DEFAULT;
        Algorithm algorithm = algorithm(n, "algorithm", Algorithm.TOKEN_BUCKET);
        boolean countRejected = n.bool("count_rejected", false);
        String onError = n.string("on_store_error", "allow").toLowerCase(Locale.ROOT);
        RateLimitConfig.OnStoreError policy = switch (onError) {
            case "allow", "open", "fail_open" -> RateLimitConfig.OnStoreError.ALLOW;
            case "deny", "closed", "fail_closed" -> RateLimitConfig.OnStoreError.DENY;
            default -> {
                n.errors().unknownValue(n.pathOf("on_store_error"), onError, "allow, deny");
                yield RateLimitConfig.OnStoreError.ALLOW;
            }
        };
        Duration retry = n.duration("store_retry", Duration.ofSeconds(1));
        boolean ietf = n.bool("ietf_headers", false);
        boolean drl = n.bool("drl", true);
        double drlThreshold = n.number("drl_threshold", 5, 0, 1e9);
        Duration heartbeat = n.duration("drl_heartbeat", Duration.ofSeconds(1));
        if (heartbeat.toMillis() < 50) {
            n.errors().outOfRange(n.pathOf("drl_heartbeat"), heartbeat.toMillis() + "ms", ">= 50ms");
            heartbeat = Duration.ofSeconds(1);
        }
        return new RateLimitConfig(algorithm, countRejected, policy, retry, ietf, drl, drlThreshold, heartbeat);
    }

    static Algorithm algorithm(Node n, String field, Algorithm dflt) {
        String name = n.string(field, null);
        if (name == null) return dflt;
        Algorithm a = Algorithm.fromConfig(name);
        if (a == null) n.errors().unknownValue(n.pathOf(field), name, Algorithm.names());
        return a == null ? dflt : a;
    }

    /** An API's limits: {@code rate_limit_algorithm}, {@code global_rate_limit}, {@code extended_paths.rate_limit}. */
    public static ApiLimits api(Node api) {
        Algorithm algorithm = algorithm(api, "rate_limit_algorithm", null);
        LimitSpec global = limit(api.child("global_rate_limit"), false);
        List<LimitSpec.Endpoint> endpoints = new ArrayList<>();
        Node paths = extendedPaths(api);
        if (paths != null) {
            Node list = paths.child("rate_limit");
            JsonNode j = list.json();
            if (!j.isMissingNode() && !j.isNull()) {
                if (!j.isArray()) api.errors().wrongType(list.path(), "a list of {path, method, rate, per}");
                else for (int i = 0; i < j.size(); i++) {
                    LimitSpec.Endpoint e = endpoint(list.element(i));
                    if (e != null) endpoints.add(e);
                }
            }
        }
        if (algorithm == null && global == null && endpoints.isEmpty()) return ApiLimits.NONE;
        return new ApiLimits(algorithm, global, endpoints);
    }

    /** {@code extended_paths} at the top, or Tyk Classic's {@code version_data.versions.<first>.extended_paths}. */
    private static Node extendedPaths(Node api) {
        if (api.has("extended_paths")) return api.child("extended_paths");
        Node versions = api.child("version_data").child("versions");
        if (!versions.json().isObject()) return null;
        Iterator<String> names = versions.json().fieldNames();
        while (names.hasNext()) {
            Node v = versions.child(names.next());
            if (v.has("extended_paths")) return v.child("extended_paths");
        }
        return null;
    }

    private static LimitSpec.Endpoint endpoint(Node e) {
        if (!e.requireObject()) return null;
        if (e.bool("disabled", false)) return null;
        String path = e.requiredString("path");
        String method = e.string("method", null);
        if (method != null) {
            method = method.toUpperCase(Locale.ROOT);
            if (method.equals("*") || method.equals("ANY")) method = null;
            else if (!METHODS.contains(method)) e.errors().unknownValue(e.pathOf("method"), method, String.join(", ", METHODS) + " or *");
        }
        LimitSpec limit = limit(e, true);
        if (path == null || limit == null) return null;
        try {
            PathPattern pp = pathPattern(path);
            return new LimitSpec.Endpoint(path, pp.pattern(), pp.params(), method, limit);
        } catch (PatternSyntaxException x) {
            e.errors().add(e.pathOf("path"), "\"" + path + "\" is not a valid path pattern: " + x.getDescription()
                    + " (e.g. \"/users/{id}\" or \"/log/(mobile|web)\")");
            return null;
        }
    }

    /** A compiled endpoint path: the regex and the names of its {@code {name}} segments (groups 1..n). */
    public record PathPattern(Pattern pattern, List<String> params) {}

    /**
     * Compiles an endpoint path: a regex matched against the whole path below the listen path (a
     * trailing '/' is optional), where {@code {name}} stands for one path segment. RE2/J: matched in
     * time linear in the path, so no pattern from an API definition or a key can backtrack, and
     * bounded in size ({@link BoundedRegex}).
     *
     * @throws PatternSyntaxException when the path is not a valid regex, or too large
     */
    public static PathPattern pathPattern(String path) {
        List<String> params = new ArrayList<>();
        StringBuilder regex = new StringBuilder("^");
        int last = 0;
        String p = path.startsWith("/") ? path : "/" + path;
        Matcher m = PARAM.matcher(p);
        while (m.find()) {
            regex.append(p, last, m.start()).append("([^/]+)");
            params.add(m.group(1));
            last = m.end();
        }
        regex.append(p.substring(last));
        if (regex.length() > 2 && regex.charAt(regex.length() - 1) == '/') regex.setLength(regex.length() - 1);
        regex.append("/?$");
        return new PathPattern(BoundedRegex.compile(regex.toString()), params);
    }

    /**
     * A limit: {@code {rate, per}}, {@code {limits: [{rate, per}, ...]}} or a bare list of windows,
     * with optional {@code counter} and {@code key}. Null when absent, unset (rate 0) or invalid.
     */
    public static LimitSpec limit(Node n, boolean required) {
        JsonNode j = n.json();
        if (j.isMissingNode() || j.isNull()) {
            if (required) n.errors().missing(n.path());
            return null;
        }
        List<LimitSpec.Window> windows = new ArrayList<>();
        String counter = null, key = null;
        if (j.isArray()) {
            windows(n, windows);
        } else if (j.isObject()) {
            if (n.has("limits")) {
                if (n.has("rate")) n.errors().add(n.pathOf("limits"), "give either rate/per or limits, not both");
                windows(n.child("limits"), windows);
            } else {
                LimitSpec.Window w = window(n, required);
                if (w != null) windows.add(w);
            }
            counter = n.string("counter", null);
            if (counter != null && counter.isBlank()) { n.errors().add(n.pathOf("counter"), "must not be empty"); counter = null; }
            key = n.string("key", null);
            if (key != null) {
                String problem = IdentifierSyntax.problem(key);
                if (problem != null) { n.errors().add(n.pathOf("key"), problem); key = null; }
            }
        } else {
            n.errors().wrongType(n.path(), "{rate, per} or a list of {rate, per}");
            return null;
        }
        return windows.isEmpty() ? null : new LimitSpec(windows, counter, key);
    }

    private static void windows(Node list, List<LimitSpec.Window> out) {
        if (!list.json().isArray() || list.json().isEmpty()) {
            list.errors().wrongType(list.path(), "a non-empty list of {rate, per} (e.g. [{rate: 10, per: 60}, {rate: 100, per: 3600}])");
            return;
        }
        for (int i = 0; i < list.json().size(); i++) {
            Node w = list.element(i);
            if (!w.requireObject()) continue;
            LimitSpec.Window window = window(w, true);
            if (window != null) out.add(window);
        }
    }

    private static LimitSpec.Window window(Node n, boolean required) {
        int before = n.errors().list().size();
        double rate = n.number("rate", 0, 0, 1e12);
        double per = n.number("per", 0, 0, 1e9);
        if (n.errors().list().size() != before) return null;
        if (rate <= 0 && !required) return null; // Tyk writes {rate: 0, per: 0} for "no limit"
        if (rate <= 0) { n.errors().add(n.pathOf("rate"), "must be > 0 (e.g. rate: 10, per: 1)"); return null; }
        if (per <= 0) { n.errors().add(n.pathOf("per"), "must be > 0 when rate is set"); return null; }
        return new LimitSpec.Window(rate, per);
    }
}
