package io.polygate.plugin.polyglot;

import io.polygate.config.GatewayConfig.PluginsConfig;
import io.polygate.observability.Metrics;
import io.polygate.plugin.BundleLoader;
import io.polygate.plugin.LoadedBundle;
import io.polygate.sdk.manifest.BundleManifest;
import io.polygate.session.SessionStore;
import io.polygate.storage.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Loads bundles into GraalVM: one pool of {@code pool_size} contexts per bundle version, each hook
 * call limited to {@code hook_timeout} and each bundle's top-level code to {@code load_timeout}.
 * Owns the shared engines, the watchdog thread and the {@link MemoryGuard}; plugins' outbound
 * HTTP goes through the given {@link OutboundHttp}, closed with the loader.
 */
public final class PolyglotLoader implements BundleLoader {
    private final Engines engines = new Engines();
    /** A first Python context takes from a fraction of a second to tens of seconds on a loaded machine. */
    private static final List<Duration> GO_LIVE_BUCKETS = Metrics.seconds(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60);

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

    /**
     * Loads a version, counted in {@code polygate_bundle_loads_total} or
     * {@code polygate_bundle_load_failures_total}; the time until its first context serves is
     * {@code polygate_bundle_go_live_seconds}.
     */
    @Override
    public LoadedBundle load(String name, String version, Path dir, BundleManifest manifest) throws BundleLoadException {
        long start = System.nanoTime();
        try {
            LoadedBundle loaded = PolyglotBundle.load(name, version, dir, manifest, engines, new GuestApi(name, store, sessions, outboundHttp.forBundle(name)),
                    config.poolSize(), config.hookTimeout(), config.loadTimeout(), watchdog,
                    new MemoryStrikes(name, version, config.memoryStrikes(), metrics), new HookMeters(metrics, name));
            metrics.timer("polygate.bundle.go_live", "Time from the start of a bundle version's load until its first context serves, by bundle",
                    GO_LIVE_BUCKETS, "bundle", name).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            metrics.counter("polygate.bundle.loads", "Bundle versions loaded and serving, by bundle", "bundle", name).increment();
            return loaded;
        } catch (BundleLoadException | RuntimeException e) {
            metrics.counter("polygate.bundle.load_failures", "Bundle versions whose code failed to load (error, load timeout), by bundle",
                    "bundle", name).increment();
            throw e;
        }
    }

    @Override
    public void close() {
        memoryGuard.close();
        outboundHttp.close();
        watchdog.close();
        engines.close();
    }
}
