package io.polygate;

import io.polygate.admin.AdminHandler;
import io.polygate.assembly.ApiRegistry;
import io.polygate.auth.PluginAuthStep;
import io.polygate.session.PluginSessions;
import io.polygate.session.PolicyStore;
import io.polygate.session.SessionCache;
import io.polygate.session.SessionStore;
import io.polygate.bundle.BundleSteps;
import io.polygate.bundle.BundleStore;
import io.polygate.plugin.polyglot.OutboundHttp;
import io.polygate.plugin.polyglot.PolyglotLoader;
import io.polygate.proxy.ChainHandler;
import io.polygate.proxy.ClientAddresses;
import io.polygate.proxy.ClientConnectionLimit;
import io.polygate.proxy.ClientHeaderTimeout;
import io.polygate.config.GatewayConfig;
import io.polygate.config.TlsConfig;
import io.polygate.tls.ServerCertificates;
import io.polygate.tls.TlsConnectors;
import io.polygate.limit.Limits;
import io.polygate.config.AccessLogConfig;
import io.polygate.config.ApiDefinition;
import io.polygate.config.TracingConfig;
import io.polygate.observability.AccessLog;
import io.polygate.observability.BuildInfo;
import io.polygate.observability.JsonErrorHandler;
import io.polygate.observability.Metrics;
import io.polygate.observability.Tracing;
import io.polygate.proxy.ChainObservers;
import io.polygate.proxy.HealthEndpoints;
import io.polygate.observability.MetricsListener;
import io.polygate.observability.RuntimeMeters;
import io.polygate.config.MetricsConfig;
import io.polygate.proxy.UpstreamHandler;
import io.polygate.assembly.RouteBuilder;
import io.polygate.storage.ChangeFeed;
import io.polygate.storage.Store;
import io.polygate.assembly.Stores;
import io.polygate.assembly.LimitBackends;
import io.polygate.storage.Nodes;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import io.polygate.proxy.GatewayConnector;
import io.polygate.proxy.GatewayThreadPool;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: one Jetty server with two connectors, the gateway port (the request chain and
 * the proxy) and the admin port (the admin API), and a third with {@code tls}, the gateway's HTTPS
 * port, sharing one thread pool. {@link #close()} stops
 * taking connections, lets requests in flight finish (up to 5 s), then releases everything.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final Server server;
    private final ServerConnector gatewayConnector;
    private final ServerConnector adminConnector;
    /** The HTTPS listener ({@code tls}), or null. */
    private final ServerConnector tlsConnector;
    /** The unauthenticated /metrics listener (metrics.port), or null. */
    private final ServerConnector metricsConnector;
    private final RuntimeMeters runtimeMeters;
    private final Store store;
    private final ChangeFeed feed;
    private final Nodes nodes;
    private final ApiRegistry apis;
    private final UpstreamHandler proxy;
    private final BundleStore bundles;
    private final Metrics metrics = new Metrics();
    private final Limits limits;
    private final AccessLog accessLog;
    private final Tracing tracing;

    public Gateway(GatewayConfig config) {
        this(config, InstantSource.system());
    }

    /** With the clock that limits, quotas and key expiry read (tests drive it by hand). */
    public Gateway(GatewayConfig config, InstantSource clock) {
        this.config = config;
        this.store = Stores.open(config.storage(), metrics.registry());
        ChangeFeed openedFeed = null;
        Nodes openedNodes = null;
        AccessLog openedLog = null;
        Tracing openedTracing = null;
        RuntimeMeters openedMeters = null;
        try {
            AccessLogConfig log = config.accessLog();
            openedLog = log.enabled() ? AccessLog.open(log.path(), log.format() == AccessLogConfig.Format.TEXT, log.queryValues()) : AccessLog.OFF;
            this.accessLog = openedLog;
            TracingConfig trace = config.tracing();
            openedTracing = trace.enabled() ? Tracing.open(trace.otlpEndpoint(), trace.serviceName(), trace.sampleRatio()) : Tracing.OFF;
            this.tracing = openedTracing;
            openedFeed = Stores.feed(store);
            this.feed = openedFeed;
            // one registry of the live nodes, beating every drl_heartbeat: the DRL's share and the bundle statuses
            openedNodes = Nodes.open(store, config.rateLimit().drlHeartbeat());
            this.nodes = openedNodes;
            // one selector per core runs the non-blocking routes itself (no hand-off); pool threads are
            // for the blocking work (plugins, store round trips), created only when needed
            int cpus = Runtime.getRuntime().availableProcessors();
            QueuedThreadPool threads = new GatewayThreadPool(256, Math.max(4, 2 * cpus));
            threads.setName("polygate");
            this.server = new Server(threads);
            server.setStopTimeout(5_000);
            server.setErrorHandler(new JsonErrorHandler());

            HttpConfiguration http = new HttpConfiguration();
            http.setSendServerVersion(false);
            http.setSendXPoweredBy(false);
            http.setRequestHeaderSize(config.proxy().maxRequestHeaderBytes());
            http.setIdleTimeout(config.proxy().clientIdleTimeout().toMillis());

            gatewayConnector = new GatewayConnector(server, cpus, TlsConnectors.plain(http, config.http2()));
            gatewayConnector.setName("gateway");
            gatewayConnector.setHost(config.host());
            gatewayConnector.setPort(config.listenPort());
            gatewayConnector.setIdleTimeout(config.proxy().clientIdleTimeout().toMillis());
            gatewayConnector.addBean(new ClientHeaderTimeout(gatewayConnector, config.proxy().clientHeaderTimeout(), metrics));

            tlsConnector = config.tls() == null ? null : tlsConnector(config, http, cpus, metrics);

            HttpConfiguration adminHttp = new HttpConfiguration(http);
            adminConnector = new ServerConnector(server, 1, 1, config.adminTls() == null
                    ? TlsConnectors.plain(adminHttp, config.http2())
                    : TlsConnectors.tls(adminHttp, certificates("admin.tls", config.adminTls()), config.http2()));
            adminConnector.setName("admin");
            adminConnector.setHost(config.admin().host());
            adminConnector.setPort(config.admin().port());
            metricsConnector = config.metrics().enabled() ? metricsConnector(config.metrics(), http) : null;
            List<Connector> connectors = new ArrayList<>(List.of(gatewayConnector));
            if (tlsConnector != null) connectors.add(tlsConnector);
            server.addBean(new ClientConnectionLimit(config.proxy().maxClientConnections(), metrics, connectors.toArray(Connector[]::new)));
            connectors.add(adminConnector);
            if (metricsConnector != null) connectors.add(metricsConnector);
            server.setConnectors(connectors.toArray(Connector[]::new));
            openedMeters = new RuntimeMeters(metrics, server);
            this.runtimeMeters = openedMeters;

            this.proxy = new UpstreamHandler(config.proxy());
            java.util.concurrent.atomic.AtomicReference<ApiRegistry> registry = new java.util.concurrent.atomic.AtomicReference<>();
            // keys expire by their APIs' session_lifetime; the registry exists once the routes do
            SessionStore sessions = new SessionStore(store, apiId -> {
                ApiRegistry r = registry.get();
                return r == null ? -1 : r.sessionLifetimeSeconds(apiId);
            }, config.hashKeys());
            HealthEndpoints health = new HealthEndpoints(store, BuildInfo.version(), () -> {
                ApiRegistry r = registry.get();
                return r == null ? Map.of() : bundlesNotReady(r);
            });
            ChainHandler chain = new ChainHandler(metrics, config.proxy().maxRequestBodyBytes(), config.proxy().minRequestDataRate(),
                    config.proxy().clientHeaderTimeout(), new ClientAddresses(config.trustedProxies()),
                    new ChainObservers(accessLog, tracing, health, config.hashKeys()));
            this.limits = LimitBackends.limits(config.rateLimit(), store, nodes, clock, metrics);
            limits.executor(threads);
            RouteBuilder routes = new RouteBuilder(sessions, proxy, clock, limits);
            // plugin bundles load in the background; their APIs answer 503 until they are ready
            Duration hookTimeout = Duration.ofMillis(setting("polygate.plugin.timeout_ms", "POLYGATE_PLUGIN_TIMEOUT_MS", config.plugins().hookTimeout().toMillis()));
            OutboundHttp outboundHttp = new OutboundHttp(config.plugins().outboundHttp(), hookTimeout, this::adminPort, metrics);
            this.bundles = new BundleStore(config.bundlesDir(),
                    new PolyglotLoader(store, sessions, new GatewayConfig.PluginsConfig(hookTimeout, config.plugins().loadTimeout(), config.plugins().maxHeapShare(),
                            config.plugins().memoryStrikes(),
                            pluginPoolSize(config.plugins().poolSize()), config.plugins().outboundHttp()), outboundHttp, metrics),
                    bundlesConfig(config.bundles()), store, feed, nodes);
            SessionCache sessionCache = new SessionCache();
            countSessionCache(sessionCache);
            PluginSessions pluginSessions = new PluginSessions(sessions);
            watchSessionSources(sessionCache, pluginSessions, sessions, limits.policies());
            routes.bundles(new BundleSteps(bundles, new PluginAuthStep.Shared(sessionCache, pluginSessions, limits.policies(), clock), sessions));
            bundles.onChange(() -> {
                ApiRegistry r = registry.get();
                if (r != null) r.refresh();
            });
            this.apis = new ApiRegistry(chain, routes, config.apisDir(), config.apis());
            registry.set(apis);
            apis.refresh();
            AdminHandler admin = new AdminHandler(config.admin().secret(), apis, sessions, store, metrics, limits,
                    bundles, config.bundles().maxZipBytes());
            bundles.start();

            MetricsListener metricsListener = new MetricsListener(metrics);
            // non-blocking at the edge: the chain dispatches routes that may block, the admin API and metrics always are dispatched
            Handler.Abstract byConnector = new Handler.Abstract(org.eclipse.jetty.util.thread.Invocable.InvocationType.NON_BLOCKING) {
                @Override
                public boolean handle(Request request, Response response, Callback callback) throws Exception {
                    Connector connector = request.getConnectionMetaData().getConnector();
                    // the gateway's plain and HTTPS listeners serve the APIs
                    if (connector != adminConnector && connector != metricsConnector) return chain.handle(request, response, callback);
                    Handler handler = connector == adminConnector ? admin : metricsListener;
                    threads.execute(() -> {
                        try {
                            handler.handle(request, response, callback);
                        } catch (Throwable t) {
                            callback.failed(t);
                        }
                    });
                    return true;
                }
            };
            proxy.setServer(server);
            chain.setServer(server);
            admin.setServer(server);
            server.addBean(proxy);
            server.addBean(chain);
            server.addBean(admin);
            metricsListener.setServer(server);
            server.addBean(metricsListener);
            server.setHandler(new GracefulHandler(byConnector));
        } catch (RuntimeException e) {
            if (openedLog != null) openedLog.close();
            if (openedTracing != null) openedTracing.close();
            if (openedMeters != null) openedMeters.close();
            if (openedNodes != null) openedNodes.close();
            if (openedFeed != null) openedFeed.close();
            store.close();
            throw e;
        }
    }

    /** The {@code tls} listener: the gateway's requests over HTTPS (HTTP/2 by ALPN with {@code http2}). */
    private ServerConnector tlsConnector(GatewayConfig config, HttpConfiguration http, int cpus, Metrics metrics) {
        ServerConnector c = new GatewayConnector(server, cpus, TlsConnectors.tls(http, certificates("tls", config.tls()), config.http2()));
        c.setName("gateway-tls");
        c.setHost(config.host());
        c.setPort(config.tls().port());
        c.setIdleTimeout(config.proxy().clientIdleTimeout().toMillis());
        c.addBean(new ClientHeaderTimeout(c, config.proxy().clientHeaderTimeout(), metrics));
        return c;
    }

    /** A listener's certificates, reloaded while the server runs. */
    private ServerCertificates certificates(String name, TlsConfig tls) {
        ServerCertificates certificates = new ServerCertificates(name, tls);
        server.addBean(certificates);
        return certificates;
    }

    /** The {@code metrics} listener: {@code /metrics} without the admin secret. */
    private ServerConnector metricsConnector(MetricsConfig m, HttpConfiguration http) {
        ServerConnector c = new ServerConnector(server, 1, 1, new HttpConnectionFactory(new HttpConfiguration(http)));
        c.setName("metrics");
        c.setHost(m.host());
        c.setPort(m.port());
        return c;
    }

    /** {@code polygate_session_cache_{hits,misses,invalidations}_total}. */
    private void countSessionCache(SessionCache cache) {
        metrics.countedBy("polygate.session.cache.hits", "Plugin session cache lookups that found a live session", cache, SessionCache::hits);
        metrics.countedBy("polygate.session.cache.misses", "Plugin session cache lookups that found none (or one past its deadline)",
                cache, SessionCache::misses);
        metrics.countedBy("polygate.session.cache.invalidations", "Cached plugin sessions dropped because what they were built from changed",
                cache, SessionCache::invalidations);
    }

    /**
     * Cached plugin sessions are dropped on every node as soon as what they were built from
     * changes: a plugin data key the auth hook read ({@code store_data}, or any write into the
     * store under {@code coprocess-data:}), the key itself ({@code apikey-*}, admin API; not this
     * node's own write of a session an auth hook built, see {@link PluginSessions}), or a policy
     * the session applies ({@code polygate-policy-*}). A key or policy changed through this node's
     * admin API is dropped before the call is answered; other nodes drop it on the feed's notice.
     */
    private void watchSessionSources(SessionCache cache, PluginSessions built, SessionStore keys, PolicyStore policies) {
        String data = io.polygate.plugin.polyglot.GuestApi.DATA_PREFIX;
        feed.watchKeys(data, key -> {
            int n = cache.invalidateData(key.substring(data.length()));
            if (n > 0) LOG.info("plugin data {} changed: {} cached session(s) dropped", key, n);
        });
        Consumer<String> keyChanged = token -> {
            if (!built.changedElsewhere(token)) return;
            int n = cache.invalidateToken(token);
            if (n > 0) LOG.info("key {} changed: {} cached session(s) dropped", SessionStore.redact(token), n);
        };
        keys.whenChangedHere(keyChanged);
        feed.watchKeys(SessionStore.PREFIX, key -> keyChanged.accept(key.substring(SessionStore.PREFIX.length())));
        Consumer<String> policyChanged = id -> {
            int n = cache.invalidatePolicy(id);
            if (n > 0) LOG.info("policy {} changed: {} cached session(s) dropped", id, n);
        };
        if (policies != null) policies.whenChangedHere(policyChanged);
        feed.watchKeys(PolicyStore.PREFIX, key -> policyChanged.accept(key.substring(PolicyStore.PREFIX.length())));
        // notices may have been missed while disconnected: start from a clean cache
        feed.onReconnect(cache::clear);
        if (feed.seesExternalWrites())
            LOG.info("session cache: changes to plugin data and keys are seen from every node and from any store client");
        else
            LOG.warn("session cache: the store does not report changes made outside this gateway (keyspace notifications "
                    + "are off and could not be enabled: CONFIG SET notify-keyspace-events K$gx); a plain write into the store "
                    + "reaches cached sessions only at their id_extractor_deadline; tyk.store_data and the admin API still do");
    }

    /** The bundles APIs name that serve no version on this node yet, each with its state ({@code GET /ready}). */
    private Map<String, String> bundlesNotReady(ApiRegistry registry) {
        Map<String, String> waiting = new java.util.TreeMap<>();
        for (ApiDefinition api : registry.list()) {
            if (api.customMiddlewareBundle() == null) continue;
            String state = bundles.status(api.customMiddlewareBundle()).state();
            if (!state.equals("ready")) waiting.put(BundleStore.normalize(api.customMiddlewareBundle()), state);
        }
        return waiting;
    }

    /** bundles.poll_interval, unless the polygate.bundle.poll_ms property or POLYGATE_BUNDLE_POLL_MS overrides it (tests). */
    static GatewayConfig.BundlesConfig bundlesConfig(GatewayConfig.BundlesConfig c) {
        long ms = setting("polygate.bundle.poll_ms", "POLYGATE_BUNDLE_POLL_MS", -1);
        if (ms < 0) return c;
        return new GatewayConfig.BundlesConfig(c.publicKey(), c.requireStrictSignature(), c.maxZipBytes(), c.maxEntries(),
                c.maxFileBytes(), c.maxTotalBytes(), Duration.ofMillis(ms), c.nodeWait());
    }

    /** plugins.pool_size, unless the polygate.plugin.pool_size property or POLYGATE_PLUGIN_POOL_SIZE overrides it (tests). */
    static int pluginPoolSize(int configured) {
        return (int) setting("polygate.plugin.pool_size", "POLYGATE_PLUGIN_POOL_SIZE", configured);
    }

    /** A numeric setting from a system property, else the environment, else the default. */
    static long setting(String property, String env, long dflt) {
        String v = System.getProperty(property, System.getenv(env));
        if (v == null || v.isBlank()) return dflt;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(property + " / " + env + ": \"" + v + "\" is not a number");
        }
    }

    public Gateway start() throws Exception {
        server.start();
        LOG.info("polygate listening on {}:{}{} (admin {}:{}{}){}, store: {}, {} APIs", config.host(), port(),
                tlsConnector == null ? "" : ", https " + tlsPort(), config.admin().host(), adminPort(),
                config.adminTls() == null ? "" : " https", config.http2() ? ", HTTP/2" : "", store.describe(), apis.list().size());
        if (metricsConnector != null)
            LOG.info("metrics without the admin secret on {}:{}/metrics (metrics.port)", config.metrics().host(), metricsPort());
        return this;
    }

    public int port() { return gatewayConnector.getLocalPort(); }

    public int adminPort() { return adminConnector.getLocalPort(); }

    /** The HTTPS port of the {@code tls} listener; -1 without one. */
    public int tlsPort() { return tlsConnector == null ? -1 : tlsConnector.getLocalPort(); }
    /** The metrics listener's port; -1 when {@code metrics.port} is not set. */
    public int metricsPort() { return metricsConnector == null ? -1 : metricsConnector.getLocalPort(); }

    public Store store() { return store; }

    /** Notices between nodes and changes of stored keys. */
    public ChangeFeed feed() { return feed; }

    /** This node's id and the live nodes sharing the store. */
    public Nodes nodes() { return nodes; }

    public ApiRegistry apis() { return apis; }

    public BundleStore bundles() { return bundles; }

    public Metrics metrics() { return metrics; }

    public Limits limits() { return limits; }

    public void join() throws InterruptedException { server.join(); }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("stopping the server: {}", e.toString());
        } finally {
            runtimeMeters.close();
            bundles.close();
            feed.close();
            nodes.close();
            store.close();
            tracing.close();
            accessLog.close();
        }
        LOG.info("polygate stopped");
    }
}
