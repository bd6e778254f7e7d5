package io.polygate.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.config.ApiDefinition.AuthSpec;
import io.polygate.config.ApiDefinition.AuthType;
import io.polygate.config.ApiDefinition.RateSpec;
import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads API definitions. Accepts the flat Polygate shape ({@code listen_path}, {@code target_url},
 * {@code auth: key}) and the Tyk Classic nesting ({@code proxy.listen_path}, {@code proxy.target_url},
 * {@code use_keyless}, {@code auth.auth_header_name}, {@code enable_coprocess_auth}), so a Tyk API
 * file loads as it is.
 */
public final class ApiDefinitions {
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

        Node targetNode = node.has("target_url") || !proxy.has("target_url") ? node : proxy;
        URI target = targetNode.url("target_url", true);

        AuthSpec auth = parseAuth(node);
        String bundle = node.string("custom_middleware_bundle", null);
        if (bundle != null && bundle.isBlank()) bundle = null;
        if (auth != null && auth.type() == AuthType.PLUGIN && bundle == null)
            node.errors().add(node.pathOf("auth"), "\"plugin\" needs custom_middleware_bundle naming the bundle with the auth_check hook");
        long lifetime = node.integer("session_lifetime", 0, 0, Long.MAX_VALUE / 1000);
        ApiLimits limits = LimitDefinitions.api(node);
        RateSpec global = limits.global() == null ? null
                : new RateSpec(limits.global().windows().get(0).rate(), limits.global().windows().get(0).per());
        boolean disableRate = node.bool("disable_rate_limit", false);
        boolean disableQuota = node.bool("disable_quota", false);

        if (node.errors().list().size() != before) return null;
        return new ApiDefinition(apiId, name, listenPath, strip, target, auth, bundle, lifetime, global,
                disableRate, disableQuota, (ObjectNode) node.json().deepCopy(), limits);
    }

    static String normalise(String listenPath) {
        String p = listenPath.replaceAll("/{2,}", "/");
        while (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p;
    }

    private static AuthSpec parseAuth(Node node) {
        JsonNode a = node.json().get("auth");
        String header = AuthSpec.DEFAULT_HEADER;
        String type = null;
        Node authNode = node.child("auth");
        if (a != null && a.isTextual()) {
            type = a.asText();
        } else if (a != null && a.isObject()) {
            type = authNode.string("type", null);
            String h = authNode.string("header_name", authNode.string("auth_header_name", null));
            if (h != null) {
                if (h.isBlank() || !h.chars().allMatch(c -> c > 32 && c < 127 && c != ':'))
                    node.errors().add(authNode.pathOf("header_name"), "\"" + h + "\" is not a header name");
                else header = h;
            }
        } else if (a != null && !a.isNull()) {
            node.errors().wrongType(node.pathOf("auth"), "\"none\", \"key\", \"plugin\" or an object {type, header_name}");
            return null;
        }
        if (type == null) {
            // Tyk Classic flags
            if (node.bool("use_keyless", false)) type = "none";
            else if (node.bool("enable_coprocess_auth", false)) type = "plugin";
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
