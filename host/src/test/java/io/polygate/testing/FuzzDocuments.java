package io.polygate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.sdk.json.Json;
import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;

/**
 * Valid documents of every kind the gateway parses, each using as many fields as it can, and the
 * field names each parser reads: the seeds the property tests mutate
 * ({@link io.polygate.sdk.testing.JsonArbitraries}).
 */
public final class FuzzDocuments {
    private FuzzDocuments() {}

    /** The fields of an API definition, flat and Tyk Classic, limits and identifiers included. */
    public static final List<String> API_FIELDS = List.of("api_id", "name", "listen_path", "target_url", "strip_listen_path",
            "proxy", "auth", "type", "header_name", "auth_header_name", "auth_configs", "authToken", "use_keyless",
            "enable_coprocess_auth", "custom_plugin_auth_enabled", "custom_middleware_bundle", "custom_middleware_bundle_disabled",
            "custom_middleware", "pre", "auth_check", "session_lifetime", "rate_limit_algorithm", "global_rate_limit", "rate", "per",
            "limits", "counter", "key", "extended_paths", "rate_limit", "path", "method", "disabled", "version_data", "versions",
            "Default", "disable_rate_limit", "disable_quota", "active", "use_oauth2", "enable_jwt", "internal", "expiration",
            "enable_ip_whitelisting", "allowed_ips", "ip_access_control_disabled", "tags", "tags_disabled", "domain",
            "token_bucket", "sliding_log", "fixed_window", "none", "key", "plugin", "echo://", "http://127.0.0.1:9000",
            "/orders/", "/users/{id}", "$headers.X-App", "$ip", "$pathParams.id");

    /** A flat Polygate definition with per-endpoint limits and identifiers. */
    public static final JsonNode FLAT_API = json("""
            {"api_id": "orders", "name": "Orders", "listen_path": "/orders/", "target_url": "http://127.0.0.1:9000/base",
             "strip_listen_path": true, "auth": {"type": "key", "header_name": "X-Api-Key"}, "session_lifetime": 60,
             "rate_limit_algorithm": "sliding_log",
             "global_rate_limit": {"limits": [{"rate": 10, "per": 1}, {"rate": 100, "per": 60}], "key": "$headers.X-App|$ip"},
             "extended_paths": {"rate_limit": [
               {"path": "/users/{id}", "method": "GET", "rate": 5, "per": 1, "counter": "users", "key": "$pathParams.id"},
               {"path": "/log/(mobile|web)", "method": "*", "limits": [{"rate": 1, "per": 1}]}]},
             "disable_rate_limit": false, "disable_quota": false}
            """);

    /** A Tyk Classic definition: nested proxy, auth_configs, a bundle, version_data. */
    public static final JsonNode TYK_API = json("""
            {"api_id": "tyk1", "name": "Classic", "use_keyless": false, "active": true,
             "auth_configs": {"authToken": {"auth_header_name": "Authorization"}},
             "proxy": {"listen_path": "/classic/", "target_url": "http://upstream:8080", "strip_listen_path": false},
             "enable_coprocess_auth": true, "custom_middleware_bundle": "per-user-rate",
             "custom_middleware": {"pre": [], "auth_check": {"name": ""}},
             "global_rate_limit": {"rate": 100, "per": 1}, "tags": [], "domain": "",
             "version_data": {"not_versioned": true, "versions": {"Default": {"name": "Default",
               "extended_paths": {"rate_limit": [{"path": "/search", "method": "POST", "rate": 2, "per": 10}]}}}}}
            """);

    /** The gateway config's fields (not {@code apis_dir}: a random one would create folders anywhere). */
    public static final List<String> CONFIG_FIELDS = Stream.concat(Stream.of("host", "listen_port", "hash_keys", "admin",
            "port", "secret", "storage", "type", "memory", "redis", "redis_uri", "uri", "cluster", "timeout", "proxy",
            "upstream_timeout", "connect_timeout", "max_connections_per_upstream", "client_idle_timeout",
            "max_request_header_bytes", "max_request_body_bytes", "rate_limit", "algorithm", "count_rejected",
            "on_store_error", "store_retry", "ietf_headers", "drl", "drl_threshold", "drl_heartbeat", "bundles_dir", "apis",
            "bundles", "public_key", "require_strict_signature", "max_zip_bytes", "max_entries", "max_file_bytes",
            "max_total_bytes", "poll_interval", "node_wait", "plugins", "hook_timeout", "load_timeout", "max_heap_share",
            "pool_size", "outbound_http", "max_response_bytes", "allow", "10s", "500ms", "redis://127.0.0.1:6379",
            "api.example.com", "*.internal.example"), API_FIELDS.stream()).toList();

    /** A config using every section. */
    public static final JsonNode CONFIG = json("""
            {"host": "127.0.0.1", "listen_port": 8080, "hash_keys": true,
             "admin": {"host": "127.0.0.1", "port": 8081, "secret": "s"},
             "storage": {"type": "redis", "redis_uri": "redis-sentinel://h:26379/0#mymaster", "cluster": false, "timeout": "2s"},
             "proxy": {"upstream_timeout": "30s", "connect_timeout": 5, "max_connections_per_upstream": 256,
                       "client_idle_timeout": "1m", "max_request_header_bytes": 16384, "max_request_body_bytes": 0},
             "rate_limit": {"algorithm": "token_bucket", "count_rejected": false, "on_store_error": "deny", "store_retry": "1s",
                            "ietf_headers": true, "drl": true, "drl_threshold": 5, "drl_heartbeat": "500ms"},
             "bundles_dir": "bundles",
             "bundles": {"require_strict_signature": false, "max_zip_bytes": 1000000, "max_entries": 100,
                         "max_file_bytes": 100000, "max_total_bytes": 200000, "poll_interval": "2s", "node_wait": "5s"},
             "plugins": {"hook_timeout": "1s", "load_timeout": "5s", "max_heap_share": 0.85, "pool_size": 4,
                         "outbound_http": {"timeout": "300ms", "max_response_bytes": 4096,
                                           "allow": {"lookup": ["api.example.com", "10.0.0.5:8443", "*.internal.example", "[::1]:9000"]}}},
             "apis": [%s, %s]}
            """.formatted(FLAT_API, TYK_API));

    /** The fields of sessions and policies ({@code /keys}, {@code /policies}). */
    public static final List<String> SESSION_FIELDS = List.of("id", "name", "rate", "per", "allowance", "quota_max",
            "quota_remaining", "quota_renewal_rate", "quota_renews", "throttle_interval", "throttle_retry_limit", "expires",
            "access_rights", "api_id", "api_name", "versions", "allowed_urls", "limit", "endpoints", "methods", "meta_data",
            "rate_limit_pattern", "apply_policies", "apply_policy_id", "tags", "alias", "smoothing", "enabled", "threshold",
            "trigger", "step", "delay", "session_lifetime", "id_extractor_deadline", "is_inactive", "active", "org_id",
            "$tyk_meta.DeveloperID|$tyk_meta.PlanID", "$headers.X-App", "orders");

    public static final JsonNode SESSION = json("""
            {"rate": 10, "per": 60, "allowance": 10, "quota_max": 1000, "quota_remaining": 1000, "quota_renewal_rate": 3600,
             "throttle_interval": 1, "throttle_retry_limit": 3, "expires": 0, "org_id": "o", "alias": "alice",
             "access_rights": {"orders": {"api_id": "orders", "api_name": "Orders", "versions": ["Default"],
               "limit": {"rate": 2, "per": 60, "quota_max": 10, "quota_renewal_rate": 3600},
               "allowed_urls": [{"url": "/users/{id}", "methods": ["GET"]}],
               "endpoints": [{"path": "/search", "methods": [{"name": "GET", "limit": {"rate": 5, "per": 60}}]}]}},
             "meta_data": {"DeveloperID": "d1", "rate_limit_pattern": "$tyk_meta.DeveloperID|$headers.X-App"},
             "apply_policies": ["gold"], "tags": ["t"], "smoothing": {"enabled": true, "threshold": 5, "trigger": 0.8, "step": 2, "delay": 30},
             "session_lifetime": 0, "id_extractor_deadline": 0}
            """);

    public static final JsonNode POLICY = json("""
            {"id": "gold", "name": "Gold", "rate": 100, "per": 10, "quota_max": -1, "quota_renewal_rate": 0,
             "throttle_interval": 0, "throttle_retry_limit": 0, "active": true, "tags": ["paid"],
             "access_rights": {"orders": {"api_id": "orders", "limit": {"rate": 5, "per": 1}}},
             "meta_data": {"PlanID": "gold", "rate_limit_pattern": "$tyk_meta.DeveloperID|$tyk_meta.PlanID"},
             "smoothing": {"enabled": false}}
            """);

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(text, e);
        }
    }
}
