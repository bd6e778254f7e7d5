package io.polygate.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.config.ApiDefinition.AuthSpec;
import io.polygate.config.ApiDefinition.AuthType;
import io.polygate.config.ApiDefinition.RateSpec;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads API definitions. Accepts the flat Polygate shape ({@code listen_path}, {@code target_url},
 * {@code auth: key}) and the Tyk Classic nesting ({@code proxy.listen_path}, {@code proxy.target_url},
 * {@code use_keyless}, {@code auth.auth_header_name}, {@code enable_coprocess_auth}), so a Tyk API
 * file loads as it is. Tyk Classic fields Polygate does not implement are refused or ignored with a
 * warning ({@link TykClassicFields}).
 */
public final class ApiDefinitions {
    private static final Logger LOG = LoggerFactory.getLogger(ApiDefinitions.class);
    private static final Pattern API_ID = Pattern.compile("[A-Za-z0-9._~-]{1,128}");

    private ApiDefinitions() {}

    /** Parses one definition; returns null when {@code node} had errors (they are in its {@link ConfigErrors}). */
    public static ApiDefinition parse(Node node) {
        if (!node.requireObject()) return null;
        int before = node.errors().list().size();
        Node proxy = node.child("proxy");

        String apiId = node.requiredString("api_id");
        if (apiId != null && !API_ID.matcher(apiId).matches())
            node.errors().add(node.pathOf("api_id"), "\"" + apiId + "\" may only hold letters, digits and . _ ~ - (at most 128)");
        String name = node.string("name", apiId);

        Node lpNode = node.has("listen_path") || !proxy.has("listen_path") ? node : proxy;
        String listenPath = lpNode.requiredString("listen_path");
        if (listenPath != null) {
            if (!listenPath.startsWith("/") || listenPath.contains("?") || listenPath.contains("#") || listenPath.contains(" "))
                lpNode.errors().add(lpNode.pathOf("listen_path"), "\"" + listenPath + "\" must be a path starting with '/' (e.g. \"/orders/\")");
            else listenPath = normalise(listenPath);
        }

        Node stripNode = node.has("strip_listen_path") || !proxy.has("strip_listen_path") ? node : proxy;
        boolean strip = stripNode.bool("strip_listen_path", true);

        UpstreamSpec upstream = UpstreamDefinitions.parse(node);
        Node targetNode = node.has("target_url") || !proxy.has("target_url") ? node : proxy;
        // with several targets, target_url may be left out (the first target stands for it); a broken
        // target list has its own errors
        boolean severalTargets = node.has("upstream") || proxy.bool("enable_load_balancing", false);
        URI target = severalTargets && !targetNode.has("target_url")
                ? (upstream == null ? null : upstream.targets().get(0).url()) : targetNode.url("target_url", true);

        AuthSpec auth = parseAuth(node);
        String bundle = node.string("custom_middleware_bundle", null);
        if (bundle != null && bundle.isBlank()) bundle = null;
        boolean bundleDisabled = node.bool("custom_middleware_bundle_disabled", false);
        if (auth != null && auth.type() == AuthType.PLUGIN && bundle != null && bundleDisabled)
            node.errors().add(node.pathOf("custom_middleware_bundle_disabled"), "true leaves the plugin auth (auth_check hook) of API \""
                    + apiId + "\" without its bundle; the API is refused rather than served without authentication");
        else if (auth != null && auth.type() == AuthType.PLUGIN && bundle == null)
            node.errors().add(node.pathOf("auth"), "\"plugin\" needs custom_middleware_bundle naming the bundle with the auth_check hook");
        if (bundleDisabled) bundle = null; // Tyk: the bundle is neither loaded nor run for this API
        List<String> ignored = TykClassicFields.check(node, apiId, bundle != null);
        long lifetime = node.integer("session_lifetime", 0, 0, Long.MAX_VALUE / 1000);
        ApiLimits limits = LimitDefinitions.api(node);
        RateSpec global = limits.global() == null ? null
                : new RateSpec(limits.global().windows().get(0).rate(), limits.global().windows().get(0).per());
        boolean disableRate = node.bool("disable_rate_limit", false);
        boolean disableQuota = node.bool("disable_quota", false);
        IpLists ipLists = AccessDefinitions.ipLists(node);
        CorsSpec cors = AccessDefinitions.cors(node);
        UpstreamTlsConfig upstreamTls = TlsDefinitions.upstream(node);
        List<String> clientCertificates = clientCertificates(node);

        if (node.errors().list().size() != before) return null;
        if (!ignored.isEmpty())
            LOG.warn("API \"{}\": Tyk Classic fields Polygate does not support are ignored: {} (docs/configuration.md)",
                    apiId, String.join(", ", ignored));
        return new ApiDefinition(apiId, name, listenPath, strip, target, auth, bundle, lifetime, global,
                disableRate, disableQuota, (ObjectNode) node.json().deepCopy(), limits, ipLists, cors, upstream, upstreamTls, clientCertificates);
    }

    /**
     * Tyk's {@code client_certificates}: certificate ids, each a SHA-256 fingerprint in hex (Tyk's
     * own ids put the org id before it: the last 64 hex digits are taken; colons are ignored).
     */
    private static List<String> clientCertificates(Node node) {
        if (!node.has("client_certificates")) return List.of();
        Node list = node.child("client_certificates");
        if (!list.json().isArray()) {
            node.errors().wrongType(list.path(), "a list of SHA-256 certificate fingerprints (hex)");
            return List.of();
        }
        List<String> fingerprints = new java.util.ArrayList<>();
        for (int i = 0; i < list.json().size(); i++) {
            String id = list.json().get(i).asText("").replace(":", "").trim().toLowerCase(Locale.ROOT);
            if (!id.matches("[0-9a-z]*[0-9a-f]{64}")) {
                node.errors().add(list.path() + "[" + i + "]", "\"" + list.json().get(i).asText() + "\" is not a SHA-256 fingerprint (64 hex digits, "
                        + "e.g. from openssl x509 -noout -fingerprint -sha256 -in client.crt)");
            } else {
                fingerprints.add(id.substring(id.length() - 64));
            }
        }
        return fingerprints;
    }

    static String normalise(String listenPath) {
        String p = listenPath.replaceAll("/{2,}", "/");
        while (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p;
    }

    private static AuthSpec parseAuth(Node node) {
        JsonNode a = node.json().get("auth");
        List<String> names = null;
        Node authNode = node.child("auth");
        String typePath = node.pathOf("auth");
        // Tyk reads auth_configs.authToken before its deprecated auth; Polygate's own header_name comes first
        Node tykToken = node.child("auth_configs").child("authToken");
        Node headerNode = tykToken;
        String h = tykToken.string("auth_header_name", null);
        if (a != null && a.isTextual()) {
            names = List.of(a.asText());
        } else if (a != null && a.isArray()) {
            names = methodNames(authNode);
        } else if (a != null && a.isObject()) {
            JsonNode type = a.get("type");
            typePath = authNode.pathOf("type");
            if (type != null && type.isArray()) names = methodNames(authNode.child("type"));
            else {
                String one = authNode.string("type", null);
                if (one != null) names = List.of(one);
            }
            String own = authNode.string("header_name", null);
            if (own != null || h == null) {
                h = own != null ? own : authNode.string("auth_header_name", null);
                headerNode = authNode;
            }
        } else if (a != null && !a.isNull()) {
            node.errors().wrongType(node.pathOf("auth"), "\"none\", \"key\", \"plugin\", \"jwt\", \"basic\", \"mtls\", a list of them, or an object {type, header_name}");
            return null;
        }
        String header = AuthSpec.DEFAULT_HEADER;
        if (h != null) {
            if (h.isBlank() || !h.chars().allMatch(c -> c > 32 && c < 127 && c != ':'))
                node.errors().add(headerNode.pathOf(headerNode == tykToken ? "auth_header_name" : "header_name"), "\"" + h + "\" is not a header name");
            else header = h;
        }
        List<AuthType> methods = names == null ? tykClassicMethods(node) : methods(node, typePath, names);
        if (methods == null) return null;
        methods = identityFirst(node, methods);
        if (methods == null || !combinable(node, typePath, methods)) return null;
        JwtSpec jwt = null;
        if (methods.contains(AuthType.JWT)) {
            jwt = JwtDefinitions.parse(node);
            if (jwt == null) return null;
        }
        BasicAuthSpec basic = methods.contains(AuthType.BASIC) ? BasicAuthSpec.parse(node) : null;
        return new AuthSpec(methods.get(0), header, methods, jwt, basic);
    }

    private static List<String> methodNames(Node list) {
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < list.json().size(); i++) {
            JsonNode v = list.json().get(i);
            if (v.isTextual()) names.add(v.asText());
            else list.errors().wrongType(list.path() + "[" + i + "]", "an auth method name (none, key, plugin, jwt, basic, mtls)");
        }
        if (names.isEmpty()) list.errors().add(list.path(), "must name at least one auth method (none, key, plugin, jwt, basic, mtls)");
        return names;
    }

    private static List<AuthType> methods(Node node, String path, List<String> names) {
        List<AuthType> methods = new java.util.ArrayList<>();
        for (String name : names) {
            AuthType t = switch (name.toLowerCase(Locale.ROOT)) {
                case "none", "keyless" -> AuthType.NONE;
                case "key", "auth_token", "authtoken" -> AuthType.KEY;
                case "plugin", "coprocess", "custom" -> AuthType.PLUGIN;
                case "jwt" -> AuthType.JWT;
                case "basic", "basic_auth" -> AuthType.BASIC;
                case "mtls", "mutual_tls", "certificate" -> AuthType.MTLS;
                default -> null;
            };
            if (t == null) node.errors().unknownValue(path, name, "none, key, plugin, jwt, basic, mtls");
            else if (methods.contains(t)) node.errors().duplicate(path, name);
            else methods.add(t);
        }
        return !names.isEmpty() && methods.size() == names.size() ? methods : null;
    }

    /**
     * The methods a Tyk Classic definition enables: {@code use_standard_auth}, {@code enable_jwt},
     * {@code use_basic_auth} in that order, then {@code use_keyless}; {@code enable_coprocess_auth}
     * (which {@code use_keyless} turns off, as in Tyk); none of them: key auth. Tyk's client
     * certificate auth ({@code use_mutual_tls_auth}, {@code use_certificate}) is the only method
     * then, {@code use_keyless} beside it included (Tyk's static mTLS); beside another method it is
     * refused: Tyk would check both, and either alone would serve the API more openly.
     */
    private static List<AuthType> tykClassicMethods(Node node) {
        boolean keyless = node.bool("use_keyless", false);
        boolean plugin = (node.bool("enable_coprocess_auth", false) || node.bool("custom_plugin_auth_enabled", false)) && !keyless;
        Node auth = node.child("auth");
        boolean mtls = node.bool("use_mutual_tls_auth", false) || node.child("auth_configs").child("authToken").bool("use_certificate", false)
                || auth.isObject() && auth.bool("use_certificate", false);
        List<AuthType> methods = new java.util.ArrayList<>();
        if (node.bool("use_standard_auth", false)) methods.add(AuthType.KEY);
        if (node.bool("enable_jwt", false)) methods.add(AuthType.JWT);
        if (node.bool("use_basic_auth", false)) methods.add(AuthType.BASIC);
        if (plugin) methods.add(AuthType.PLUGIN);
        if (mtls) {
            if (methods.isEmpty()) return List.of(AuthType.MTLS);
            node.errors().add(node.pathOf("use_mutual_tls_auth"), "client certificate auth together with "
                    + methods.get(0).name().toLowerCase(Locale.ROOT) + " auth: Tyk checks both, Polygate would accept either (use auth: mtls alone)");
            return null;
        }
        if (keyless) methods.add(AuthType.NONE);
        if (methods.isEmpty()) methods.add(AuthType.KEY);
        return methods;
    }

    /** Tyk's {@code base_identity_provided_by}: the named method is tried first. */
    private static List<AuthType> identityFirst(Node node, List<AuthType> methods) {
        String base = node.string("base_identity_provided_by", null);
        if (base == null || base.isEmpty() || base.equals("unset")) return methods;
        AuthType first = switch (base) {
            case "auth_token" -> AuthType.KEY;
            case "jwt_claim" -> AuthType.JWT;
            case "basic_auth_user" -> AuthType.BASIC;
            case "custom_auth" -> AuthType.PLUGIN;
            default -> null;
        };
        String path = node.pathOf("base_identity_provided_by");
        if (first == null) {
            node.errors().unknownValue(path, base, "auth_token, jwt_claim, basic_auth_user, custom_auth, unset");
            return null;
        }
        if (!methods.contains(first)) {
            node.errors().add(path, "\"" + base + "\" names a method the API does not enable (it enables "
                    + methods.stream().map(m -> m.name().toLowerCase(Locale.ROOT)).collect(java.util.stream.Collectors.joining(", ")) + ")");
            return null;
        }
        List<AuthType> ordered = new java.util.ArrayList<>(methods);
        ordered.remove(first);
        ordered.add(0, first);
        return ordered;
    }

    /** Several methods: plugin auth stands alone, and keyless can only be the fallback. */
    private static boolean combinable(Node node, String path, List<AuthType> methods) {
        if (methods.size() == 1) return true;
        if (methods.contains(AuthType.PLUGIN)) {
            node.errors().add(path, "plugin auth (the bundle's auth_check) cannot be combined with other auth methods");
            return false;
        }
        if (methods.indexOf(AuthType.NONE) >= 0 && methods.indexOf(AuthType.NONE) != methods.size() - 1) {
            node.errors().add(path, "\"none\" (keyless) must come last: it lets through requests that bring no credential of the methods before it");
            return false;
        }
        return true;
    }
}
