package io.polygate.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The Tyk Classic API definition fields Polygate does not implement, and what it does when one is
 * in use (set to something other than its default: {@code true}, a non-empty string, list or
 * object, a number other than 0). A field whose absence would leave the API more open than Tyk
 * serves it is <em>refused</em>: the definition is an error naming the API and the field. Any
 * other is <em>ignored</em>: the API loads and one warning line names every such field. The table
 * in docs/configuration.md lists the same fields; keep the two together.
 */
final class TykClassicFields {
    private TykClassicFields() {}

    /** Refused: serving the API without the field would drop a check Tyk makes. Value: what the field does. */
    private static final Map<String, String> REFUSED = orderedMap(
            "use_oauth2", "OAuth 2.0 authentication",
            "external_oauth.enabled", "external OAuth authentication",
            "use_openid", "OpenID Connect authentication",
            "enable_jwt", "JWT authentication",
            "use_basic_auth", "basic authentication",
            "use_mutual_tls_auth", "mutual TLS authentication",
            "enable_signature_checking", "HMAC request signature authentication",
            "use_go_plugin_auth", "Go plugin authentication",
            "auth.use_certificate", "client certificate authentication",
            "auth.validate_signature", "key signature validation",
            "auth_configs.authToken.use_certificate", "client certificate authentication",
            "auth_configs.authToken.validate_signature", "key signature validation",
            "pinned_public_keys", "upstream certificate pinning",
            "internal", "an API reachable only from other APIs",
            "expiration", "an API expiry date",
            "graphql.enabled", "GraphQL (schema validation, query limits)",
            "version_data.versions.*.expires", "a version expiry date",
            "version_data.versions.*.paths.white_list", "a path allow list",
            "version_data.versions.*.paths.black_list", "a path block list",
            "version_data.versions.*.extended_paths.white_list", "a path allow list",
            "version_data.versions.*.extended_paths.black_list", "a path block list",
            "version_data.versions.*.extended_paths.internal", "endpoints reachable only from other APIs",
            "version_data.versions.*.extended_paths.virtual", "virtual endpoints (they answer instead of the upstream)",
            "version_data.versions.*.extended_paths.validate_json", "request body validation",
            "version_data.versions.*.extended_paths.size_limits", "request size limits",
            "version_data.versions.*.global_size_limit", "a request size limit");

    /** Ignored with a warning: without them the API is served no more openly than Tyk serves it. */
    private static final List<String> IGNORED = List.of(
            "listen_port", "protocol", "enable_proxy_protocol", "domain", "certificates", "tags",
            "auth.use_param", "auth.use_cookie", "auth.disable_header",
            "auth_configs.authToken.use_param", "auth_configs.authToken.use_cookie", "auth_configs.authToken.disable_header",
            "strip_auth_data", "upstream_certificates", "request_signing.is_enabled", "session_lifetime_respects_key_expiration",
            "dont_set_quota_on_create", "enable_batch_request_support", "cache_options.enable_cache",
            "event_handlers.events", "uptime_tests.check_list", "response_processors", "enable_context_vars",
            "tag_headers", "do_not_track", "enable_detailed_recording", "expire_analytics_after", "analytics_plugin.enable",
            "auth_provider.name", "session_provider.name", "definition.versions",
            "proxy.preserve_host_header", "proxy.disable_strip_slash",
            "proxy.check_host_against_uptime_tests", "proxy.service_discovery.use_discovery_service",
            "proxy.transport.ssl_insecure_skip_verify", "proxy.transport.ssl_ciphers", "proxy.transport.ssl_min_version",
            "proxy.transport.ssl_max_version", "proxy.transport.ssl_force_common_name_check", "proxy.transport.proxy_url",
            "version_data.versions.*.paths.ignored", "version_data.versions.*.extended_paths.ignored",
            "version_data.versions.*.extended_paths.transform", "version_data.versions.*.extended_paths.transform_response",
            "version_data.versions.*.extended_paths.transform_jq", "version_data.versions.*.extended_paths.transform_jq_response",
            "version_data.versions.*.extended_paths.transform_headers", "version_data.versions.*.extended_paths.transform_response_headers",
            "version_data.versions.*.extended_paths.hard_timeouts", "version_data.versions.*.extended_paths.circuit_breakers",
            "version_data.versions.*.extended_paths.url_rewrites", "version_data.versions.*.extended_paths.method_transforms",
            "version_data.versions.*.extended_paths.track_endpoints", "version_data.versions.*.extended_paths.do_not_track_endpoints",
            "version_data.versions.*.extended_paths.cache", "version_data.versions.*.extended_paths.advance_cache_config",
            "version_data.versions.*.extended_paths.go_plugin", "version_data.versions.*.extended_paths.persist_graphql",
            "version_data.versions.*.global_headers", "version_data.versions.*.global_headers_remove",
            "version_data.versions.*.global_response_headers", "version_data.versions.*.global_response_headers_remove",
            "version_data.versions.*.override_target", "version_data.versions.*.ignore_endpoint_case");

    /** Fields whose value switches an adjacent refused or ignored field off. */
    private static final Map<String, String> SWITCHED_OFF_BY = Map.of(
            "pinned_public_keys", "certificate_pinning_disabled",
            "upstream_certificates", "upstream_certificates_disabled",
            "domain", "domain_disabled",
            "tags", "tags_disabled");

    private static final List<String> HOOK_LISTS = List.of("pre", "post", "post_key_auth", "response");

    /**
     * Records every refused field of {@code api} in its errors and returns the ignored fields in use
     * (their paths, in table order). {@code bundleUsed}: the API runs a bundle, whose manifest then
     * supplies the hooks (as in Tyk, it replaces the definition's {@code custom_middleware}).
     */
    static List<String> check(Node api, String apiId, boolean bundleUsed) {
        JsonNode json = api.json();
        for (Map.Entry<String, String> rule : REFUSED.entrySet()) {
            for (String path : inUse(json, rule.getKey())) api.errors().refusedTykField(api.pathOf(path), apiId, rule.getValue());
        }
        if (json.path("active").isBoolean() && !json.path("active").asBoolean())
            api.errors().refusedTykField(api.pathOf("active"), apiId, "a deactivated API (active: false)");
        if (!bundleUsed && declaresHooks(json.path("custom_middleware")))
            api.errors().refusedTykField(api.pathOf("custom_middleware"), apiId,
                    "plugin hooks outside a bundle (put them in the manifest of a custom_middleware_bundle)");
        List<String> ignored = new ArrayList<>();
        for (String rule : IGNORED) ignored.addAll(inUse(json, rule));
        return ignored;
    }

    private static boolean declaresHooks(JsonNode middleware) {
        for (String list : HOOK_LISTS) if (middleware.path(list).isArray() && !middleware.path(list).isEmpty()) return true;
        return !middleware.path("auth_check").path("name").asText("").isEmpty();
    }

    /** The concrete paths matching {@code pattern} ({@code *} stands for any one object field) whose value is in use. */
    private static List<String> inUse(JsonNode root, String pattern) {
        List<String> found = new ArrayList<>();
        collect(root, pattern.split("\\."), 0, "", found);
        found.removeIf(path -> {
            String off = SWITCHED_OFF_BY.get(path);
            return off != null && root.path(off).asBoolean(false);
        });
        return found;
    }

    private static void collect(JsonNode node, String[] parts, int i, String prefix, List<String> found) {
        if (i == parts.length) {
            if (isSet(node)) found.add(prefix);
            return;
        }
        if (!node.isObject()) return;
        if (parts[i].equals("*")) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                collect(e.getValue(), parts, i + 1, prefix + e.getKey() + ".", found);
            }
        } else {
            collect(node.path(parts[i]), parts, i + 1, prefix + parts[i] + (i + 1 < parts.length ? "." : ""), found);
        }
    }

    /** Whether a value differs from its Go zero value (what Tyk writes into exported definitions for an unused field). */
    private static boolean isSet(JsonNode v) {
        if (v == null || v.isMissingNode() || v.isNull()) return false;
        if (v.isBoolean()) return v.asBoolean();
        if (v.isNumber()) return v.asDouble() != 0;
        if (v.isTextual()) return !v.asText().isEmpty() && !v.asText().equals("-1"); // "-1": Tyk's "never" for expiry dates
        return !v.isEmpty();
    }

    private static Map<String, String> orderedMap(String... pairs) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) m.put(pairs[i], pairs[i + 1]);
        return java.util.Collections.unmodifiableMap(m);
    }
}
