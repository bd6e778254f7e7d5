package io.polygate.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.polygate.config.GatewayConfig.AdminConfig;
import io.polygate.config.GatewayConfig.ProxyConfig;
import io.polygate.config.GatewayConfig.StorageConfig;
import io.polygate.config.GatewayConfig.StorageType;
import io.polygate.sdk.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Loads {@code polygate.yaml} (YAML or JSON), validates all of it and reports every error at once;
 * it never returns a half-valid config. The embedded default ({@value #DEFAULT_RESOURCE}) runs
 * with no outside services: in-memory storage, the built-in echo upstream, one demo API.
 */
public final class ConfigLoader {
    public static final String DEFAULT_RESOURCE = "/polygate-default.yaml";
    public static final String ADMIN_SECRET_ENV = "POLYGATE_ADMIN_SECRET";
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final ObjectMapper YAML = Json.of(new YAMLFactory());

    private final Map<String, String> env;

    public ConfigLoader(Map<String, String> env) { this.env = env; }

    public ConfigLoader() { this(System.getenv()); }

    public GatewayConfig loadDefault() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            // relative paths of the embedded config (bundles_dir) are the installation's, set by ./polygate
            return load(YAML.readTree(in), Path.of(System.getProperty("polygate.home", ".")), "embedded default config");
        } catch (IOException e) {
            throw new IllegalStateException("embedded default config unreadable", e);
        }
    }

    /** Reads and validates a config file; a missing or unreadable file is a {@link ConfigException} too. */
    public GatewayConfig load(Path file) {
        return load(read(file), file.toAbsolutePath().getParent(), file.toString());
    }

    /** Validates a parsed config; relative paths in it are resolved against {@code baseDir}. */
    public GatewayConfig load(JsonNode root, Path baseDir, String what) {
        ConfigErrors errors = new ConfigErrors();
        Parsed parsed = parse(root, baseDir, what, true, errors);
        errors.throwIfAny(what);
        return parsed.config();
    }

    /**
     * What {@code polygate check} needs of a config file: every problem in it, and its bundle
     * settings to check {@code bundles_dir} with (the defaults where the file gets them wrong;
     * null when the file cannot be read or is not a mapping).
     */
    public record Report(List<String> errors, Path bundlesDir, GatewayConfig.BundlesConfig bundles) {}

    /** Like {@link #load(Path)}, but answers every problem instead of throwing, and writes nothing (a missing apis_dir stays missing). */
    public Report check(Path file) {
        ConfigErrors errors = new ConfigErrors();
        try {
            Parsed parsed = parse(read(file), file.toAbsolutePath().getParent(), file.toString(), false, errors);
            return new Report(errors.list(), parsed.bundlesDir(), parsed.bundles());
        } catch (ConfigException e) {
            return new Report(e.errors(), null, null);
        }
    }

    private static JsonNode read(Path file) {
        try {
            return YAML.readTree(Files.readString(file)); // YAML is a superset of JSON
        } catch (JsonProcessingException e) {
            throw new ConfigException(file.toString(), List.of(file + ": not valid YAML/JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")")));
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), List.of(file + ": no such file"));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of(file + ": cannot read: " + e.getMessage()));
        }
    }

    /** {@code config}: null when there are errors. */
    private record Parsed(GatewayConfig config, Path bundlesDir, GatewayConfig.BundlesConfig bundles) {}

    /** @throws ConfigException when the root is not a mapping (nothing else can be read) */
    private Parsed parse(JsonNode root, Path baseDir, String what, boolean createApisDir, ConfigErrors errors) {
        if (root == null || root.isNull() || root.isMissingNode()) root = JSON.createObjectNode();
        if (!root.isObject()) {
            errors.add("", "the config must be a mapping of settings");
            errors.throwIfAny(what);
        }
        Node n = new Node(root, "", errors);

        String host = n.string("host", "0.0.0.0");
        int port = n.port("listen_port", 8080);
        boolean hashKeys = n.bool("hash_keys", true);
        List<String> trustedProxies = AccessDefinitions.addressPatterns(n, "trusted_proxies");

        Node a = n.child("admin");
        if (n.has("admin")) a.requireObject();
        String adminHost = a.string("host", "127.0.0.1");
        int adminPort = a.port("port", 8081);
        String secret = env.getOrDefault(ADMIN_SECRET_ENV, a.string("secret", null));
        if (secret == null || secret.isEmpty()) errors.add("admin.secret", "is required (or set " + ADMIN_SECRET_ENV + ")");
        if (port != 0 && port == adminPort) errors.add("admin.port", port + " is also listen_port; the admin API needs its own port");

        StorageConfig storage = storage(n.child("storage"), errors);
        ProxyConfig proxy = proxy(n.child("proxy"));
        RateLimitConfig rateLimit = LimitDefinitions.rateLimit(n.child("rate_limit"));

        Path bundlesDir = baseDir.resolve(n.string("bundles_dir", "bundles")).normalize();
        String apisDirName = n.string("apis_dir", null);
        Path apisDir = apisDirName == null ? null : baseDir.resolve(apisDirName).normalize();

        List<ApiDefinition> apis = new ArrayList<>();
        Node apiList = n.child("apis");
        if (n.has("apis")) {
            if (!apiList.json().isArray()) errors.wrongType("apis", "a list of API definitions");
            else for (int i = 0; i < apiList.json().size(); i++) {
                ApiDefinition def = ApiDefinitions.parse(apiList.element(i));
                if (def != null) apis.add(def);
            }
        }
        if (apisDir != null) {
            // a file in apis_dir was written by the admin API: it supersedes the config file's entry of the same id
            for (ApiDefinition fromDir : loadApisDir(apisDir, createApisDir, errors)) {
                apis.removeIf(existing -> existing.apiId().equals(fromDir.apiId()));
                apis.add(fromDir);
            }
        }
        checkUnique(apis, errors);
        GatewayConfig.BundlesConfig bundles = bundles(n.child("bundles"), baseDir, errors);
        GatewayConfig.PluginsConfig plugins = plugins(n.child("plugins"));
        // ---- TLS listeners and HTTP/2 (docs/configuration.md § TLS)
        TlsConfig tls = TlsDefinitions.listener(n.child("tls"), baseDir, -1);
        TlsConfig adminTls = TlsDefinitions.listener(a.child("tls"), baseDir, adminPort);
        boolean http2 = n.bool("http2", false);
        if (tls != null && tls.port() != 0 && (tls.port() == port || tls.port() == adminPort))
            errors.add("tls.port", tls.port() + " is also " + (tls.port() == port ? "listen_port" : "admin.port") + "; the HTTPS listener needs its own port");
        // ---- end of TLS
        AccessLogConfig accessLog = accessLog(n.child("access_log"), baseDir);
        TracingConfig tracing = tracing(n.child("tracing"));
        LoggingConfig logging = logging(n.child("logging"));
        MetricsConfig metrics = metrics(n, port, adminPort, errors);
        // API definitions keep unknown fields (Tyk Classic extras are warned about, TykClassicFields)
        n.reportUnknownKeys("apis");
        GatewayConfig config = !errors.isEmpty() ? null : new GatewayConfig(host, port, new AdminConfig(adminHost, adminPort, secret), storage, proxy,
                bundlesDir, apisDir, apis, rateLimit, bundles, plugins, hashKeys, trustedProxies, tls, adminTls, http2, accessLog, tracing, logging,
                metrics);
        return new Parsed(config, bundlesDir, bundles);
    }

    /** {@code metrics: {port, host}}: the unauthenticated /metrics listener; absent = off. */
    private static MetricsConfig metrics(Node root, int listenPort, int adminPort, ConfigErrors errors) {
        if (!root.has("metrics")) return MetricsConfig.OFF;
        Node m = root.child("metrics");
        if (!m.requireObject()) return MetricsConfig.OFF;
        String host = m.string("host", MetricsConfig.OFF.host());
        if (!m.has("port")) {
            errors.missing("metrics.port");
            return MetricsConfig.OFF;
        }
        int port = m.port("port", -1);
        if (port != 0 && (port == listenPort || port == adminPort))
            errors.add("metrics.port", port + " is also " + (port == listenPort ? "listen_port" : "admin.port") + "; the metrics listener needs its own port");
        return new MetricsConfig(host, port);
    }

    /**
     * Reads every {@code *.json} in the directory; each error names the file. A missing directory
     * is created when {@code create} (the admin API writes there), else it holds no API.
     */
    private static List<ApiDefinition> loadApisDir(Path dir, boolean create, ConfigErrors errors) {
        List<ApiDefinition> apis = new ArrayList<>();
        if (!create && !Files.exists(dir)) return apis;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            errors.add("apis_dir", "cannot create " + dir + ": " + e.getMessage());
            return apis;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                try {
                    ApiDefinition def = ApiDefinitions.parse(new Node(JSON.readTree(f.toFile()), f.getFileName().toString(), errors));
                    if (def != null) apis.add(def);
                } catch (IOException e) {
                    errors.add(f.getFileName().toString(), "not valid JSON: " + e.getMessage());
                }
            }
        } catch (IOException e) {
            errors.add("apis_dir", "cannot list " + dir + ": " + e.getMessage());
        }
        return apis;
    }

    static void checkUnique(List<ApiDefinition> apis, ConfigErrors errors) {
        Map<String, String> ids = new HashMap<>();
        Map<String, String> paths = new HashMap<>();
        for (ApiDefinition api : apis) {
            if (ids.putIfAbsent(api.apiId(), api.apiId()) != null) errors.duplicate("apis.api_id", api.apiId());
            String other = paths.putIfAbsent(api.listenPath(), api.apiId());
            if (other != null) errors.add("apis." + api.apiId() + ".listen_path", "\"" + api.listenPath() + "\" is already the listen path of API \"" + other + "\"");
        }
    }

    private static GatewayConfig.PluginsConfig plugins(Node p) {
        if (!p.json().isMissingNode() && !p.json().isNull()) p.requireObject();
        GatewayConfig.PluginsConfig d = GatewayConfig.PluginsConfig.defaults();
        Duration timeout = p.duration("hook_timeout", d.hookTimeout());
        if (timeout.isZero()) {
            p.errors().add(p.pathOf("hook_timeout"), "must be more than 0 (e.g. \"1s\")");
            timeout = d.hookTimeout();
        }
        Duration loadTimeout = p.duration("load_timeout", d.loadTimeout());
        if (loadTimeout.isZero()) {
            p.errors().add(p.pathOf("load_timeout"), "must be more than 0 (e.g. \"5s\")");
            loadTimeout = d.loadTimeout();
        }
        double maxHeapShare = p.number("max_heap_share", d.maxHeapShare(), 0, 0.99);
        int memoryStrikes = (int) p.integer("memory_strikes", d.memoryStrikes(), 0, 1000);
        return new GatewayConfig.PluginsConfig(timeout, loadTimeout, maxHeapShare, memoryStrikes, (int) p.integer("pool_size", d.poolSize(), 1, 256),
                outboundHttp(p.child("outbound_http"), timeout));
    }

    // ---- observability: access_log, tracing, logging (docs/observability.md) ----

    private static AccessLogConfig accessLog(Node a, Path baseDir) {
        if (!present(a) || !a.requireObject()) return AccessLogConfig.OFF;
        boolean enabled = a.bool("enabled", false);
        String file = a.string("path", null);
        if (file != null && file.isBlank()) {
            a.errors().add(a.pathOf("path"), "must name a file (e.g. \"/var/log/polygate/access.log\"); leave it out for standard output");
            file = null;
        }
        Path path = file == null ? null : baseDir.resolve(file).normalize();
        if (path != null && !Files.isDirectory(path.toAbsolutePath().getParent()))
            a.errors().add(a.pathOf("path"), "\"" + file + "\": the directory " + path.toAbsolutePath().getParent() + " does not exist");
        String format = a.string("format", "json").toLowerCase(Locale.ROOT);
        AccessLogConfig.Format f = switch (format) {
            case "json" -> AccessLogConfig.Format.JSON;
            case "text" -> AccessLogConfig.Format.TEXT;
            default -> {
                a.errors().unknownValue(a.pathOf("format"), format, "json, text");
                yield AccessLogConfig.Format.JSON;
            }
        };
        return new AccessLogConfig(enabled, path, f, a.bool("query_values", false));
    }

    private static TracingConfig tracing(Node t) {
        if (!present(t) || !t.requireObject()) return TracingConfig.OFF;
        String url = t.string("otlp_endpoint", null);
        URI endpoint = null;
        if (url != null) {
            try {
                endpoint = new URI(url.trim());
            } catch (java.net.URISyntaxException e) {
                endpoint = null;
            }
            String scheme = endpoint == null || endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || endpoint.getHost() == null) {
                t.errors().add(t.pathOf("otlp_endpoint"), "\"" + url + "\" is not an http(s) URL of an OTLP/HTTP collector (e.g. \"http://127.0.0.1:4318\")");
                endpoint = null;
            }
        }
        String service = t.string("service_name", TracingConfig.OFF.serviceName());
        double ratio = t.number("sample_ratio", TracingConfig.OFF.sampleRatio(), 0, 1);
        return new TracingConfig(endpoint, service, ratio);
    }

    private static LoggingConfig logging(Node l) {
        if (!present(l) || !l.requireObject()) return LoggingConfig.TEXT;
        String format = l.string("format", "text").toLowerCase(Locale.ROOT);
        return switch (format) {
            case "text" -> LoggingConfig.TEXT;
            case "json" -> new LoggingConfig(LoggingConfig.Format.JSON);
            default -> {
                l.errors().unknownValue(l.pathOf("format"), format, "text, json");
                yield LoggingConfig.TEXT;
            }
        };
    }

    private static boolean present(Node n) { return !n.json().isMissingNode() && !n.json().isNull(); }

    // ---- end of observability ----

    /** {@code host}, {@code host:port}, {@code *.domain[:port]}, {@code [v6][:port]} or a bare IPv6 address. */
    private static final String ALLOWED_HOST = "(\\*\\.)?[a-z0-9.\\-]+(:\\d{1,5})?|\\[[0-9a-f:.]+\\](:\\d{1,5})?|[0-9a-f:]+";

    private static GatewayConfig.OutboundHttpConfig outboundHttp(Node o, Duration hookTimeout) {
        GatewayConfig.OutboundHttpConfig d = GatewayConfig.OutboundHttpConfig.defaults(hookTimeout);
        if (o.json() == null || o.json().isMissingNode() || o.json().isNull() || !o.requireObject()) return d;
        Duration timeout = o.duration("timeout", d.timeout());
        if (timeout.isZero() || timeout.compareTo(hookTimeout) >= 0) {
            o.errors().add(o.pathOf("timeout"), "must be more than 0 and less than plugins.hook_timeout (" + hookTimeout.toMillis() + " ms)");
            timeout = d.timeout();
        }
        long maxBytes = o.integer("max_response_bytes", d.maxResponseBytes(), 1, Integer.MAX_VALUE - 8);
        Map<String, List<String>> allow = new java.util.TreeMap<>();
        Node a = o.child("allow");
        if (a.json() != null && !a.json().isMissingNode() && !a.json().isNull() && a.requireObject()) {
            a.json().fieldNames().forEachRemaining(bundle -> {
                Node hosts = a.child(bundle);
                List<String> list = new ArrayList<>();
                if (!hosts.json().isArray()) {
                    o.errors().add(hosts.path(), "must be a list of hosts (e.g. [\"api.example.com\", \"10.0.0.5:8443\", \"*.internal.example\"])");
                } else {
                    for (int i = 0; i < hosts.json().size(); i++) {
                        String h = hosts.json().get(i).asText("").trim().toLowerCase(Locale.ROOT);
                        if (!hosts.json().get(i).isTextual() || !h.matches(ALLOWED_HOST))
                            o.errors().add(hosts.path() + "[" + i + "]", "\"" + hosts.json().get(i).asText() + "\" is not a host, host:port or *.domain");
                        else list.add(h);
                    }
                }
                allow.put(bundle, List.copyOf(list));
            });
        }
        return new GatewayConfig.OutboundHttpConfig(timeout, maxBytes, allow);
    }

    private static GatewayConfig.BundlesConfig bundles(Node b, Path baseDir, ConfigErrors errors) {
        GatewayConfig.BundlesConfig d = GatewayConfig.BundlesConfig.defaults();
        if (b.json() == null || b.json().isMissingNode() || b.json().isNull()) return d;
        if (!b.requireObject()) return d;
        String key = b.string("public_key", null);
        Path publicKey = null;
        if (key != null) {
            publicKey = baseDir.resolve(key).normalize();
            if (!Files.isRegularFile(publicKey))
                errors.add(b.pathOf("public_key"), "\"" + key + "\": no such file (a PEM public key, e.g. made by openssl rsa -in private.pem -pubout -out public.pem)");
        }
        boolean strict = b.bool("require_strict_signature", false);
        if (strict && key == null)
            errors.add(b.pathOf("require_strict_signature"), "true needs bundles.public_key (strict signatures are checked with it)");
        long maxZip = b.integer("max_zip_bytes", d.maxZipBytes(), 1, Integer.MAX_VALUE);
        long maxEntries = b.integer("max_entries", d.maxEntries(), 1, 0xFFFF);
        long maxFile = b.integer("max_file_bytes", d.maxFileBytes(), 1, Long.MAX_VALUE);
        long maxTotal = b.integer("max_total_bytes", Math.max(d.maxTotalBytes(), maxFile), 1, Long.MAX_VALUE);
        if (maxTotal < maxFile)
            errors.add(b.pathOf("max_total_bytes"), maxTotal + " is less than max_file_bytes (" + maxFile + ")");
        Duration poll = b.duration("poll_interval", d.pollInterval());
        Duration wait = b.duration("node_wait", d.nodeWait());
        return new GatewayConfig.BundlesConfig(publicKey, strict, maxZip, (int) maxEntries, maxFile, maxTotal, poll, wait);
    }

    private static StorageConfig storage(Node s, ConfigErrors errors) {
        if (s.json().isMissingNode() || s.json().isNull()) return new StorageConfig(StorageType.MEMORY, null, false, Duration.ofSeconds(2), false);
        if (!s.requireObject()) return null;
        String type = s.string("type", "memory").toLowerCase(Locale.ROOT);
        Duration timeout = s.duration("timeout", Duration.ofSeconds(2));
        // read whatever the type, so that the Redis settings of a memory store are not "unknown keys"
        String uri = s.string("redis_uri", s.string("uri", "redis://127.0.0.1:6379"));
        boolean cluster = s.bool("cluster", false);
        boolean waitAtStart = s.bool("wait_at_start", false);
        switch (type) {
            case "memory":
                return new StorageConfig(StorageType.MEMORY, null, false, timeout, false);
            case "redis": {
                URI u = null;
                try {
                    u = new URI(uri);
                    if (u.getScheme() == null || !u.getScheme().toLowerCase(Locale.ROOT).startsWith("redis")) u = null;
                } catch (Exception e) {
                    u = null;
                }
                if (u == null) errors.add(s.pathOf("redis_uri"), "\"" + uri + "\" is not a Redis URI (e.g. \"redis://127.0.0.1:6379\", \"redis-sentinel://host:26379/0#mymaster\")");
                return new StorageConfig(StorageType.REDIS, u, cluster, timeout, waitAtStart);
            }
            default:
                errors.unknownValue(s.pathOf("type"), type, "memory, redis");
                return null;
        }
    }

    private static ProxyConfig proxy(Node p) {
        if (!p.json().isMissingNode() && !p.json().isNull()) p.requireObject();
        Duration headerTimeout = p.duration("client_header_timeout", ProxyConfig.DEFAULT_CLIENT_HEADER_TIMEOUT);
        if (headerTimeout.isZero()) {
            p.errors().add(p.pathOf("client_header_timeout"), "must be more than 0 (e.g. \"10s\")");
            headerTimeout = ProxyConfig.DEFAULT_CLIENT_HEADER_TIMEOUT;
        }
        return new ProxyConfig(
                p.duration("upstream_timeout", Duration.ofSeconds(30)),
                p.duration("connect_timeout", Duration.ofSeconds(5)),
                (int) p.integer("max_connections_per_upstream", 256, 1, 100_000),
                p.duration("client_idle_timeout", Duration.ofSeconds(30)),
                (int) p.integer("max_request_header_bytes", 16 * 1024, 1024, 1024 * 1024),
                p.integer("max_request_body_bytes", 0, 0, Long.MAX_VALUE),
                headerTimeout,
                p.integer("min_request_data_rate", ProxyConfig.DEFAULT_MIN_REQUEST_DATA_RATE, 0, Integer.MAX_VALUE),
                (int) p.integer("max_client_connections", 0, 0, 10_000_000));
    }
}
