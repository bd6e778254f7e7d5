package io.polygate.plugin.polyglot;

import io.polygate.plugin.BundleLoader.BundleLoadException;
import io.polygate.plugin.HookCall;
import io.polygate.plugin.HookException;
import io.polygate.plugin.LoadedBundle;
import io.polygate.sdk.manifest.BundleManifest;
import io.polygate.sdk.manifest.HookRef;
import io.polygate.storage.StoreException;
import java.nio.file.Path;
import java.time.Duration;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bundle version in GraalVM: hook calls on a {@link ContextPool} of contexts built by a
 * {@link GuestFactory}. A watchdog cancels a call that runs past the time limit
 * ({@code Context.close(true)}: the guest cannot catch it); the broken context is replaced in the
 * background and the pool keeps serving. A guest failure becomes a {@link HookException} naming
 * the hook and the plugin line.
 */
final class PolyglotBundle implements LoadedBundle {
    private static final Logger LOG = LoggerFactory.getLogger(PolyglotBundle.class);

    private final String name;
    private final String version;
    private final BundleManifest manifest;
    private final Duration timeout;
    private final ContextPool pool;

    private PolyglotBundle(String name, String version, BundleManifest manifest, Duration timeout, ContextPool pool) {
        this.name = name;
        this.version = version;
        this.manifest = manifest;
        this.timeout = timeout;
        this.pool = pool;
    }

    /** Loads a version: returns once its first context is ready, the rest of the pool is built in the background. */
    static PolyglotBundle load(String name, String version, Path dir, BundleManifest manifest, Engines engines, GuestApi api,
                               int poolSize, Duration timeout, HookWatchdog watchdog) throws BundleLoadException {
        GuestFactory factory = GuestFactory.create(name, dir, manifest, engines, api, watchdog);
        PolyglotBundle b = new PolyglotBundle(name, version, manifest, timeout, new ContextPool(name, version, poolSize, factory));
        long t0 = System.nanoTime();
        try {
            b.pool.addFirst();
        } catch (BundleLoadException | RuntimeException e) {
            b.close();
            throw e;
        }
        LOG.info("bundle {} version {} ({}) ready: first context in {} ms ({} more in the background), hooks {}", name, version,
                Engines.language(manifest.customMiddleware().driver()), (System.nanoTime() - t0) / 1_000_000, poolSize - 1, factory.hookNames());
        b.pool.fillInBackground();
        return b;
    }

    @Override public String name() { return name; }

    @Override public String version() { return version; }

    @Override public BundleManifest manifest() { return manifest; }

    @Override public int contexts() { return pool.contexts(); }

    @Override
    public void invoke(HookRef hook, HookCall call) throws HookException {
        Guest guest = pool.lease();
        guest.slot().start(timeout.toNanos());
        boolean healthy = false;
        try {
            Value fn = guest.hooks().get(hook);
            if (fn == null) {
                healthy = guest.slot().finish();
                throw new HookException(HookException.Kind.GUEST_ERROR, "bundle \"" + name + "\" has no hook " + hook, null);
            }
            fn.executeVoid(call);
            healthy = guest.slot().finish();
            if (!healthy) throw timedOut(hook, null);
        } catch (PolyglotException e) {
            boolean inTime = guest.slot().finish();
            if (!inTime || e.isCancelled()) throw timedOut(hook, e);
            if (e.isHostException() && e.asHostException() instanceof StoreException se) {
                healthy = true;
                throw se;
            }
            healthy = !e.isInternalError() && !e.isResourceExhausted();
            throw new HookException(HookException.Kind.GUEST_ERROR, "bundle \"" + name + "\" hook " + hook.name() + " (" + hook.type().field() + "): "
                    + GuestFactory.describe(e), e);
        } catch (RuntimeException e) {
            guest.slot().finish();
            throw new HookException(HookException.Kind.GUEST_ERROR, "bundle \"" + name + "\" hook " + hook.name() + " (" + hook.type().field() + "): " + e, e);
        } finally {
            pool.release(guest, healthy);
        }
    }

    private HookException timedOut(HookRef hook, Throwable cause) {
        return new HookException(HookException.Kind.TIMEOUT, "bundle \"" + name + "\" hook " + hook.name() + " (" + hook.type().field()
                + ") ran past its time limit of " + timeout.toMillis() + " ms and was stopped", cause);
    }

    @Override
    public void close() {
        pool.close();
    }
}
