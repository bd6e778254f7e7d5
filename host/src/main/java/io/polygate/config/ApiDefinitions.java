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
        URI target = upstream != null && !targetNode.has("target_url") ? upstream.targets().get(0).url() : targetNode.url("target_url", true);

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

        if (node.errors().list().size() != before) return null;
        if (!ignored.isEmpty())
            LOG.warn("API \"{}\": Tyk Classic fields Polygate does not support are ignored: {} (docs/configuration.md)",
                    apiId, String.join(", ", ignored));
        return new ApiDefinition(apiId, name, listenPath, strip, target, auth, bundle, lifetime, global,
                disableRate, disableQuota, (ObjectNode) node.json().deepCopy(), limits, ipLists, cors, upstream);
    }

    static String normalise(String listenPath) {
        String p = listenPath.replaceAll("/{2,}", "/");
        while (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p;
    }

    private static AuthSpec parseAuth(Node node) {
        JsonNode a = node.json().get("auth");
        String type = null;
        Node authNode = node.child("auth");
        // Tyk reads auth_configs.authToken before its deprecated auth; Polygate's own header_name comes first
        Node tykToken = node.child("auth_configs").child("authToken");
        Node headerNode = tykToken;
        String h = tykToken.string("auth_header_name", null);
        if (a != null && a.isTextual()) {
            type = a.asText();
        } else if (a != null && a.isObject()) {
            type = authNode.string("type", null);
            String own = authNode.string("header_name", null);
            if (own != null || h == null) {
                h = own != null ? own : authNode.string("auth_header_name", null);
                headerNode = authNode;
            }
        } else if (a != null && !a.isNull()) {
            node.errors().wrongType(node.pathOf("auth"), "\"none\", \"key\", \"plugin\" or an object {type, header_name}");
            return null;
        }
        String header = AuthSpec.DEFAULT_HEADER;
        if (h != null) {
            if (h.isBlank() || !h.chars().allMatch(c -> c > 32 && c < 127 && c != ':'))
                node.errors().add(headerNode.pathOf(headerNode == tykToken ? "auth_header_name" : "header_name"), "\"" + h + "\" is not a header name");
            else header = h;
        }
        if (type == null) {
            // Tyk Classic flags
            if (node.bool("use_keyless", false)) type = "none";
            else if (node.bool("enable_coprocess_auth", false) || node.bool("custom_plugin_auth_enabled", false)) type = "plugin";
            else type = "key";
        }
        AuthType t = switch (type.toLowerCase(Locale.ROOT)) {
            case "none", "keyless" -> AuthType.NONE;
            case "key", "auth_token", "authtoken" -> AuthType.KEY;
            case "plugin", "coprocess", "custom" -> AuthType.PLUGIN;
            default -> null;
        };
        if (t == null) {
            node.errors().unknownValue(a != null && a.isObject() ? authNode.pathOf("type") : node.pathOf("auth"),
                    type, "none, key, plugin");
            return null;
        }
        return new AuthSpec(t, header);
    }
}
