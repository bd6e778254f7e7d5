package io.polygate.plugin.polyglot;

import io.polygate.config.GatewayConfig.PluginsConfig;
import io.polygate.observability.Metrics;
import io.polygate.plugin.BundleLoader;
import io.polygate.plugin.LoadedBundle;
import io.polygate.sdk.manifest.BundleManifest;
import io.polygate.session.SessionStore;
import io.polygate.storage.Store;
import java.nio.file.Path;

/**
 * Loads bundles into GraalVM: one pool of {@code pool_size} contexts per bundle version, each hook
 * call limited to {@code hook_timeout} and each bundle's top-level code to {@code load_timeout}.
 * Owns the shared engines, the watchdog thread and the {@link MemoryGuard}; plugins' outbound
 * HTTP goes through the given {@link OutboundHttp}, closed with the loader.
 */
public final class PolyglotLoader implements BundleLoader {
    private final Engines engines = new Engines();
    private final Store store;
    private final SessionStore sessions;
    private final PluginsConfig config;
    private final HookWatchdog watchdog;
    private final MemoryGuard memoryGuard;
    private final OutboundHttp outboundHttp;
    private final Metrics metrics;

    /** Plugins' key calls on {@code store} with keys hashed (the {@code hash_keys} default). */
    public PolyglotLoader(Store store, PluginsConfig config, OutboundHttp outboundHttp, Metrics metrics) {
        this(store, new SessionStore(store), config, outboundHttp, metrics);
    }

    /** @param sessions the keys plugins read and write ({@code TykGetKeyData}, {@code TykSetKeyData}) */
    public PolyglotLoader(Store store, SessionStore sessions, PluginsConfig config, OutboundHttp outboundHttp, Metrics metrics) {
        if (config.poolSize() < 1) throw new IllegalArgumentException("plugin pool size must be >= 1, got " + config.poolSize());
        this.store = store;
        this.sessions = sessions;
        this.config = config;
        this.outboundHttp = outboundHttp;
        this.metrics = metrics;
        this.watchdog = new HookWatchdog(config.hookTimeout());
        this.memoryGuard = new MemoryGuard(config.maxHeapShare(), watchdog, metrics);
    }

    /** Creates the JS engine (cheap) so that a missing JIT is reported at start, before any bundle loads. */
    @Override
    public void checkRuntime() {
        engines.get(io.polygate.sdk.manifest.Driver.JS);
    }

    @Override
    public LoadedBundle load(String name, String version, Path dir, BundleManifest manifest) throws BundleLoadException {
        return PolyglotBundle.load(name, version, dir, manifest, engines, new GuestApi(name, store, sessions, outboundHttp.forBundle(name)),
                config.poolSize(), config.hookTimeout(), config.loadTimeout(), watchdog,
                new MemoryStrikes(name, version, config.memoryStrikes(), metrics));
    }

    @Override
    public void close() {
        memoryGuard.close();
        outboundHttp.close();
        watchdog.close();
        engines.close();
    }
}
