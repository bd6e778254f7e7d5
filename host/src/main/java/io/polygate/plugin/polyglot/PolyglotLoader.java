package io.polygate.plugin.polyglot;

import io.polygate.plugin.BundleLoader;
import io.polygate.plugin.LoadedBundle;
import io.polygate.sdk.manifest.BundleManifest;
import io.polygate.session.SessionStore;
import io.polygate.storage.Store;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Loads bundles into GraalVM: one pool of {@code poolSize} contexts per bundle version, each hook
 * call limited to {@code hookTimeout}. Owns the shared engines and the watchdog thread; plugins'
 * outbound HTTP goes through the given {@link OutboundHttp}, closed with the loader.
 */
public final class PolyglotLoader implements BundleLoader {
    private final Engines engines = new Engines();
    private final Store store;
    private final SessionStore sessions;
    private final int poolSize;
    private final Duration hookTimeout;
    private final HookWatchdog watchdog;
    private final OutboundHttp outboundHttp;

    /** Plugins' key calls on {@code store} with keys hashed (the {@code hash_keys} default). */
    public PolyglotLoader(Store store, int poolSize, Duration hookTimeout, OutboundHttp outboundHttp) {
        this(store, new SessionStore(store), poolSize, hookTimeout, outboundHttp);
    }

    /** @param sessions the keys plugins read and write ({@code TykGetKeyData}, {@code TykSetKeyData}) */
    public PolyglotLoader(Store store, SessionStore sessions, int poolSize, Duration hookTimeout, OutboundHttp outboundHttp) {
        if (poolSize < 1) throw new IllegalArgumentException("plugin pool size must be >= 1, got " + poolSize);
        this.store = store;
        this.sessions = sessions;
        this.outboundHttp = outboundHttp;
        this.poolSize = poolSize;
        this.hookTimeout = hookTimeout;
        this.watchdog = new HookWatchdog(hookTimeout);
    }

    /** Creates the JS engine (cheap) so that a missing JIT is reported at start, before any bundle loads. */
    @Override
    public void checkRuntime() {
        engines.get(io.polygate.sdk.manifest.Driver.JS);
    }

    @Override
    public LoadedBundle load(String name, String version, Path dir, BundleManifest manifest) throws BundleLoadException {
        return PolyglotBundle.load(name, version, dir, manifest, engines, new GuestApi(name, store, sessions, outboundHttp.forBundle(name)), poolSize, hookTimeout, watchdog);
    }

    @Override
    public void close() {
        outboundHttp.close();
        watchdog.close();
        engines.close();
    }
}
