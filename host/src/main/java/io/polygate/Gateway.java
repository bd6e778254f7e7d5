package io.polygate;

import io.polygate.admin.AdminHandler;
import io.polygate.admin.ApiRegistry;
import io.polygate.auth.session.SessionCache;
import io.polygate.auth.session.SessionStore;
import io.polygate.bundle.BundleSteps;
import io.polygate.bundle.BundleStore;
import io.polygate.plugin.polyglot.PolyglotLoader;
import io.polygate.chain.ChainHandler;
import io.polygate.config.GatewayConfig;
import io.polygate.limit.Limits;
import io.polygate.observability.JsonErrorHandler;
import io.polygate.observability.Metrics;
import io.polygate.proxy.UpstreamHandler;
import io.polygate.proxy.routing.RouteBuilder;
import io.polygate.storage.ChangeFeed;
import io.polygate.storage.Store;
import io.polygate.storage.Stores;
import java.time.Duration;
import java.time.InstantSource;
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
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: one Jetty server with two connectors, the gateway port (the request chain and
 * the proxy) and the admin port (the admin API), sharing one thread pool. {@link #close()} stops
 * taking connections, lets requests in flight finish (up to 5 s), then releases everything.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final Server server;
    private final ServerConnector gatewayConnector;
    private final ServerConnector adminConnector;
    private final Store store;
    private final ChangeFeed feed;
    private final ApiRegistry apis;
    private final UpstreamHandler proxy;
    private final Metrics metrics = new Metrics();
    private final Limits limits;
    private final BundleStore bundles;

    public Gateway(GatewayConfig config) {
        this(config, InstantSource.system());
    }

    /** With the clock that limits, quotas and key expiry read (tests drive it by hand). */
    public Gateway(GatewayConfig config, InstantSource clock) {
        this.config = config;
        this.store = Stores.open(config.storage());
        ChangeFeed openedFeed = null;
        try {
            openedFeed = Stores.feed(store);
            this.feed = openedFeed;
            // 2 cores: a few selector/acceptor threads, the rest for blocking chain work (plugins, store)
            QueuedThreadPool threads = new QueuedThreadPool(256, 8);
            threads.setName("polygate");
            this.server = new Server(threads);
            server.setStopTimeout(5_000);
            server.setErrorHandler(new JsonErrorHandler());

            HttpConfiguration http = new HttpConfiguration();
            http.setSendServerVersion(false);
            http.setSendXPoweredBy(false);
            http.setRequestHeaderSize(config.proxy().maxRequestHeaderBytes());
            http.setIdleTimeout(config.proxy().clientIdleTimeout().toMillis());

            gatewayConnector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
            gatewayConnector.setName("gateway");
            gatewayConnector.setHost(config.host());
            gatewayConnector.setPort(config.listenPort());
            gatewayConnector.setIdleTimeout(config.proxy().clientIdleTimeout().toMillis());

            adminConnector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(new HttpConfiguration(http)));
            adminConnector.setName("admin");
            adminConnector.setHost(config.admin().host());
            adminConnector.setPort(config.admin().port());
            server.setConnectors(new Connector[] {gatewayConnector, adminConnector});

            this.proxy = new UpstreamHandler(config.proxy());
            SessionStore sessions = new SessionStore(store);
            ChainHandler chain = new ChainHandler(metrics, config.proxy().maxRequestBodyBytes());
            this.limits = new Limits(config.rateLimit(), store, clock, metrics);
            limits.executor(threads);
            RouteBuilder routes = new RouteBuilder(sessions, proxy, clock, limits);
            // plugin bundles load in the background; their APIs answer 503 until they are ready
            this.bundles = new BundleStore(config.bundlesDir(),
                    new PolyglotLoader(store, pluginPoolSize(), Duration.ofMillis(setting("polygate.plugin.timeout_ms", "POLYGATE_PLUGIN_TIMEOUT_MS", 1000))),
                    Duration.ofMillis(setting("polygate.bundle.poll_ms", "POLYGATE_BUNDLE_POLL_MS", 2000)));
            routes.bundles(new BundleSteps(bundles, new SessionCache(), clock));
            java.util.concurrent.atomic.AtomicReference<ApiRegistry> registry = new java.util.concurrent.atomic.AtomicReference<>();
            bundles.onChange(() -> {
                ApiRegistry r = registry.get();
                if (r != null) r.refresh();
            });
            this.apis = new ApiRegistry(chain, routes, config.apisDir(), config.apis());
            registry.set(apis);
            apis.refresh();
            AdminHandler admin = new AdminHandler(config.admin().secret(), apis, sessions, store, metrics, limits);
            admin.bundleStatus(bundles::list);

            // non-blocking at the edge: the chain dispatches routes that may block, the admin API always is dispatched
            Handler.Abstract byConnector = new Handler.Abstract(org.eclipse.jetty.util.thread.Invocable.InvocationType.NON_BLOCKING) {
                @Override
                public boolean handle(Request request, Response response, Callback callback) throws Exception {
                    if (request.getConnectionMetaData().getConnector() == adminConnector) {
                        threads.execute(() -> {
                            try {
                                admin.handle(request, response, callback);
                            } catch (Throwable t) {
                                callback.failed(t);
                            }
                        });
                        return true;
                    }
                    return chain.handle(request, response, callback);
                }
            };
            proxy.setServer(server);
            chain.setServer(server);
            admin.setServer(server);
            server.addBean(proxy);
            server.addBean(chain);
            server.addBean(admin);
            server.setHandler(new GracefulHandler(byConnector));
        } catch (RuntimeException e) {
            if (openedFeed != null) openedFeed.close();
            store.close();
            throw e;
        }
    }

    /** Contexts per bundle version: one request per context at a time (default: the number of cores, at least 2). */
    static int pluginPoolSize() {
        return (int) setting("polygate.plugin.pool_size", "POLYGATE_PLUGIN_POOL_SIZE", Math.max(2, Runtime.getRuntime().availableProcessors()));
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
        LOG.info("polygate listening on {}:{} (admin {}:{}), store: {}, {} APIs", config.host(), port(),
                config.admin().host(), adminPort(), store.describe(), apis.list().size());
        return this;
    }

    public int port() { return gatewayConnector.getLocalPort(); }

    public int adminPort() { return adminConnector.getLocalPort(); }

    public Store store() { return store; }

    /** Notices between nodes and changes of stored keys. */
    public ChangeFeed feed() { return feed; }

    public ApiRegistry apis() { return apis; }

    public Metrics metrics() { return metrics; }
    public BundleStore bundles() { return bundles; }

    public Limits limits() { return limits; }

    public void join() throws InterruptedException { server.join(); }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("stopping the server: {}", e.toString());
        } finally {
            feed.close();
            limits.close();
            bundles.close();
            store.close();
        }
        LOG.info("polygate stopped");
    }
}
