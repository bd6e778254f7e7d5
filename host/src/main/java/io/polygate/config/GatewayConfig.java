package io.polygate.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The whole gateway configuration, validated. Built by {@link ConfigLoader}; every field here is
 * already known to be valid.
 *
 * @param listenPort  the gateway port (0 = any free port, used by tests)
 * @param admin       the admin API
 * @param storage     where keys, sessions and plugin data live
 * @param proxy       upstream client settings
 * @param bundlesDir  the directory holding plugin bundles
 * @param apisDir     a directory of API definition JSON files (read at start, written by the
 *                    admin API), or null
 * @param apis        the API definitions from the config file and {@code apisDir}
 * @param rateLimit   the {@code rate_limit} section: default algorithm, store failure policy
 * @param bundles     how bundles are verified, limited and watched
 * @param plugins     the plugin runtime: hook time limit and contexts per bundle version
 * @param hashKeys    Tyk's {@code hash_keys}: keys are stored, listed and counted by their SHA-256,
 *                    never in plain text (default true)
 * @param trustedProxies peers (addresses, CIDRs, ranges) whose {@code Forwarded} / {@code X-Forwarded-For}
 *                    is believed about who the client is; empty: nobody's
 * @param tls         the HTTPS listener beside {@code listen_port}, or null for none
 * @param adminTls    {@code admin.tls}: the admin port speaks TLS only, or null for plain HTTP
 * @param http2       {@code http2}: HTTP/2 beside HTTP/1.1, over TLS by ALPN and in clear text
 *                    (h2c) on the plain ports
 * @param accessLog   the {@code access_log} section (off by default)
 * @param tracing     the {@code tracing} section (off by default)
 * @param logging     the {@code logging} section: text or JSON application logs
 * @param metrics     the unauthenticated {@code /metrics} listener ({@link MetricsConfig#OFF}: none)
 */
public record GatewayConfig(
        String host,
        int listenPort,
        AdminConfig admin,
        StorageConfig storage,
        ProxyConfig proxy,
        Path bundlesDir,
        Path apisDir,
        List<ApiDefinition> apis,
        RateLimitConfig rateLimit,
        BundlesConfig bundles,
        PluginsConfig plugins,
        boolean hashKeys,
        List<String> trustedProxies,
        TlsConfig tls,
        TlsConfig adminTls,
        boolean http2,
        AccessLogConfig accessLog,
        TracingConfig tracing,
        LoggingConfig logging,
        MetricsConfig metrics) {

    public GatewayConfig {
        apis = List.copyOf(apis);
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        if (metrics == null) metrics = MetricsConfig.OFF;
        if (rateLimit == null) rateLimit = RateLimitConfig.DEFAULT;
        if (bundles == null) bundles = BundlesConfig.defaults();
        if (plugins == null) plugins = PluginsConfig.defaults();
        if (accessLog == null) accessLog = AccessLogConfig.OFF;
        if (tracing == null) tracing = TracingConfig.OFF;
        if (logging == null) logging = LoggingConfig.TEXT;
    }

    /** Without TLS listeners, HTTP/2, the observability sections (no access log, no tracing, text logs) or the metrics listener. */
    public GatewayConfig(String host, int listenPort, AdminConfig admin, StorageConfig storage, ProxyConfig proxy,
                         Path bundlesDir, Path apisDir, List<ApiDefinition> apis, RateLimitConfig rateLimit, BundlesConfig bundles,
                         PluginsConfig plugins, boolean hashKeys, List<String> trustedProxies) {
        this(host, listenPort, admin, storage, proxy, bundlesDir, apisDir, apis, rateLimit, bundles, plugins, hashKeys, trustedProxies,
                null, null, false, null, null, null, null);
    }

    public GatewayConfig(String host, int listenPort, AdminConfig admin, StorageConfig storage, ProxyConfig proxy,
                         Path bundlesDir, Path apisDir, List<ApiDefinition> apis, RateLimitConfig rateLimit, BundlesConfig bundles) {
        this(host, listenPort, admin, storage, proxy, bundlesDir, apisDir, apis, rateLimit, bundles, PluginsConfig.defaults(), true, List.of());
    }

    /**
     * The {@code plugins:} section.
     *
     * @param hookTimeout a hook running longer is stopped and its request gets a 500 with an error id
     * @param loadTimeout a bundle's top-level code (its files evaluated, its imports) running longer
     *                    is stopped and the version is refused
     * @param maxHeapShare past this share of the maximum heap in use after a garbage collection, the
     *                    plugin calls running are stopped (0 turns the guard off)
     * @param memoryStrikes after the memory guard stopped calls of a bundle version this many
     *                    times, the version is taken out of service like a failed load (the
     *                    version before it serves again when there is one); 0 = never
     * @param poolSize    contexts per bundle version, each serving one request at a time (default:
     *                    the number of cores, at least 2; Python contexts cost 2-4 MB and ~100 ms each)
     * @param outboundHttp what {@code TykMakeHttpRequest} / {@code TykBatchRequest} may reach
     */
    public record PluginsConfig(Duration hookTimeout, Duration loadTimeout, double maxHeapShare, int memoryStrikes, int poolSize,
                                OutboundHttpConfig outboundHttp) {
        public static final Duration DEFAULT_LOAD_TIMEOUT = Duration.ofSeconds(5);
        public static final double DEFAULT_MAX_HEAP_SHARE = 0.85;
        public static final int DEFAULT_MEMORY_STRIKES = 3;

        public PluginsConfig {
            if (outboundHttp == null) outboundHttp = OutboundHttpConfig.defaults(hookTimeout);
        }

        public PluginsConfig(Duration hookTimeout, int poolSize) {
            this(hookTimeout, DEFAULT_LOAD_TIMEOUT, DEFAULT_MAX_HEAP_SHARE, DEFAULT_MEMORY_STRIKES, poolSize, null);
        }

        public static PluginsConfig defaults() {
            return new PluginsConfig(Duration.ofSeconds(1), Math.max(2, Runtime.getRuntime().availableProcessors()));
        }
    }

    /**
     * The {@code plugins.outbound_http} section: outbound HTTP from plugins, refused unless allowed.
     *
     * @param timeout          limit of one outbound call, connect to last body byte (default: half
     *                         the hook time limit; always below it)
     * @param maxResponseBytes a bigger response body fails the call
     * @param allow            bundle name to the hosts its plugins may call: {@code host} (any port),
     *                         {@code host:port}, or {@code *.domain} (any sub-domain); lower case
     */
    public record OutboundHttpConfig(Duration timeout, long maxResponseBytes, java.util.Map<String, List<String>> allow) {
        public static final long DEFAULT_MAX_RESPONSE_BYTES = 1L << 20;

        public OutboundHttpConfig {
            allow = java.util.Map.copyOf(allow);
        }

        public static OutboundHttpConfig defaults(Duration hookTimeout) {
            return new OutboundHttpConfig(hookTimeout.dividedBy(2), DEFAULT_MAX_RESPONSE_BYTES, java.util.Map.of());
        }
    }

    public GatewayConfig(String host, int listenPort, AdminConfig admin, StorageConfig storage, ProxyConfig proxy,
                         Path bundlesDir, Path apisDir, List<ApiDefinition> apis) {
        this(host, listenPort, admin, storage, proxy, bundlesDir, apisDir, apis, RateLimitConfig.DEFAULT, BundlesConfig.defaults());
    }

    public GatewayConfig(String host, int listenPort, AdminConfig admin, StorageConfig storage, ProxyConfig proxy,
                         Path bundlesDir, Path apisDir, List<ApiDefinition> apis, RateLimitConfig rateLimit) {
        this(host, listenPort, admin, storage, proxy, bundlesDir, apisDir, apis, rateLimit, BundlesConfig.defaults());
    }

    /**
     * The {@code bundles:} section.
     *
     * @param publicKey              PEM file of the RSA public key bundles must be signed with, or
     *                               null (then signatures are not checked, checksums still are)
     * @param requireStrictSignature also require {@code signature_strict} (needs {@code publicKey})
     * @param maxZipBytes            largest upload or zip in {@code bundles_dir}
     * @param maxEntries             most entries in a zip
     * @param maxFileBytes           largest file once inflated
     * @param maxTotalBytes          all files together once inflated
     * @param pollInterval           how often {@code bundles_dir} is checked for new or changed bundles
     * @param nodeWait               how long an upload waits for the other nodes to report the new version
     */
    public record BundlesConfig(Path publicKey, boolean requireStrictSignature, long maxZipBytes, int maxEntries,
                                long maxFileBytes, long maxTotalBytes, Duration pollInterval, Duration nodeWait) {
        public static BundlesConfig defaults() {
            return new BundlesConfig(null, false, 20L << 20, 2000, 20L << 20, 100L << 20, Duration.ofSeconds(2), Duration.ofSeconds(5));
        }
    }

    public record AdminConfig(String host, int port, String secret) {
        @Override public String toString() { return "AdminConfig[host=" + host + ", port=" + port + ", secret=***]"; }
    }

    public enum StorageType { MEMORY, REDIS }

    /** {@code redisUri}: redis://, rediss://, redis-sentinel:// (Lettuce syntax); {@code redisCluster} uses the cluster client. */
    /** @param waitAtStart Redis unreachable at start: serve 503 and retry instead of exiting ({@code storage.wait_at_start}) */
    public record StorageConfig(StorageType type, URI redisUri, boolean redisCluster, Duration timeout, boolean waitAtStart) {}

    /**
     * @param upstreamTimeout   how long the upstream may stay silent (no headers, no body bytes)
     *                          before the client gets a 504
     * @param connectTimeout    TCP connect limit to an upstream (a refused or timed-out connect is a 502)
     * @param maxConnectionsPerUpstream keep-alive pool size per upstream host:port
     * @param clientIdleTimeout how long a client connection may stay idle (slow clients are cut)
     * @param clientHeaderTimeout how long the request line and headers of one request may take to
     *                          arrive, from their first byte; past it the connection is closed
     * @param minRequestDataRate bytes a second a request body must arrive at on average, checked
     *                          whenever the gateway waits for more of it once
     *                          {@code clientHeaderTimeout} has passed since it began reading it
     *                          (slower: 408); 0 = no minimum
     * @param maxRequestHeaderBytes bigger request heads get 431
     * @param maxRequestBodyBytes   bigger request bodies get 413 (0 = no limit): a declared
     *                              Content-Length before anything is sent upstream, a chunked body
     *                              by aborting the exchange once it passes the limit
     * @param maxClientConnections  open client connections (plain and TLS ports together) past which
     *                              new ones wait in the accept backlog; 0 = half the open-file limit
     */
    public record ProxyConfig(Duration upstreamTimeout, Duration connectTimeout, int maxConnectionsPerUpstream,
                              Duration clientIdleTimeout, int maxRequestHeaderBytes, long maxRequestBodyBytes,
                              Duration clientHeaderTimeout, long minRequestDataRate, int maxClientConnections) {
        public static final Duration DEFAULT_CLIENT_HEADER_TIMEOUT = Duration.ofSeconds(10);
        public static final long DEFAULT_MIN_REQUEST_DATA_RATE = 128;
    }
}
