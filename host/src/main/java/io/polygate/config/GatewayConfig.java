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
        RateLimitConfig rateLimit) {

    public GatewayConfig {
        apis = List.copyOf(apis);
        if (rateLimit == null) rateLimit = RateLimitConfig.DEFAULT;
    }

    public GatewayConfig(String host, int listenPort, AdminConfig admin, StorageConfig storage, ProxyConfig proxy,
                         Path bundlesDir, Path apisDir, List<ApiDefinition> apis) {
        this(host, listenPort, admin, storage, proxy, bundlesDir, apisDir, apis, RateLimitConfig.DEFAULT);
    }

    public GatewayConfig withApis(List<ApiDefinition> newApis) {
        return new GatewayConfig(host, listenPort, admin, storage, proxy, bundlesDir, apisDir, newApis, rateLimit);
    }

    public record AdminConfig(String host, int port, String secret) {
        @Override public String toString() { return "AdminConfig[host=" + host + ", port=" + port + ", secret=***]"; }
    }

    public enum StorageType { MEMORY, REDIS }

    /** {@code redisUri}: redis://, rediss://, redis-sentinel:// (Lettuce syntax); {@code redisCluster} uses the cluster client. */
    public record StorageConfig(StorageType type, URI redisUri, boolean redisCluster, Duration timeout) {}

    /**
     * @param upstreamTimeout   how long the upstream may stay silent (no headers, no body bytes)
     *                          before the client gets a 504
     * @param connectTimeout    TCP connect limit to an upstream (a refused or timed-out connect is a 502)
     * @param maxConnectionsPerUpstream keep-alive pool size per upstream host:port
     * @param clientIdleTimeout how long a client connection may stay idle (slow clients are cut)
     * @param maxRequestHeaderBytes bigger request heads get 431
     * @param maxRequestBodyBytes   bigger request bodies get 413 (0 = no limit): a declared
     *                              Content-Length before anything is sent upstream, a chunked body
     *                              by aborting the exchange once it passes the limit
     */
    public record ProxyConfig(Duration upstreamTimeout, Duration connectTimeout, int maxConnectionsPerUpstream,
                              Duration clientIdleTimeout, int maxRequestHeaderBytes, long maxRequestBodyBytes) {}
}
