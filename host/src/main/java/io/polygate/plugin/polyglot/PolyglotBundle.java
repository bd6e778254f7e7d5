package io.polygate.plugin.polyglot;

import io.polygate.plugin.BundleLoader.BundleLoadException;
import io.polygate.plugin.DataReads;
import io.polygate.plugin.HookCall;
import io.polygate.plugin.HookException;
import io.polygate.plugin.LoadedBundle;
import io.polygate.sdk.manifest.BundleManifest;
import io.polygate.sdk.manifest.HookRef;
import io.polygate.storage.StoreException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bundle version in GraalVM: hook calls queued to a {@link ContextPool} of contexts built by a
 * {@link GuestFactory}, each run on its context's own thread. A watchdog cancels a call that runs past the time limit
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
    private final MemoryStrikes strikes;
    private final HookMeters meters;

    private PolyglotBundle(String name, String version, BundleManifest manifest, Duration timeout, ContextPool pool, MemoryStrikes strikes,
                           HookMeters meters) {
        this.name = name;
        this.version = version;
        this.manifest = manifest;
        this.timeout = timeout;
        this.pool = pool;
        this.strikes = strikes;
        this.meters = meters;
    }

    /** Loads a version: returns once its first context is ready, the rest of the pool is built in the background. */
    static PolyglotBundle load(String name, String version, Path dir, BundleManifest manifest, Engines engines, GuestApi api,
                               int poolSize, Duration timeout, Duration loadTimeout, HookWatchdog watchdog, MemoryStrikes strikes,
                               HookMeters meters)
            throws BundleLoadException {
        GuestFactory factory = GuestFactory.create(name, dir, manifest, engines, api, watchdog, strikes, loadTimeout);
        PolyglotBundle b = new PolyglotBundle(name, version, manifest, timeout, new ContextPool(name, version, poolSize, factory), strikes, meters);
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

    @Override public void onUnfit(java.util.function.Consumer<String> listener) { strikes.onUnfit(listener); }

    @Override
    public CompletableFuture<Void> submit(HookRef hook, HookCall call) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        pool.submit(new ContextPool.Work() {
            @Override
            public boolean run(Guest guest) {
                long start = System.nanoTime();
                try {
                    call(guest, hook, call);
                } catch (HookException | StoreException e) {
                    meters.ran(hook, System.nanoTime() - start, e);
                    done.completeExceptionally(e);
                    return contextUsableAfter(e);
                }
                meters.ran(hook, System.nanoTime() - start, null);
                done.complete(null);
                return true;
            }

            @Override
            public void refuse(HookException why) {
                meters.refused(hook, why);
                done.completeExceptionally(why);
            }
        });
        return done;
    }

    /** Runs one hook on a guest, under the watchdog. */
    private void call(Guest guest, HookRef hook, HookCall call) throws HookException {
        Value fn = guest.hooks().get(hook);
        if (fn == null) throw new HookException(HookException.Kind.GUEST_ERROR, "bundle \"" + name + "\" has no hook " + hook, null);
        guest.slot().startCall(timeout.toNanos());
        try {
            DataReads.begin(call);
            try {
                fn.executeVoid(call);
            } finally {
                DataReads.end();
            }
            if (!guest.slot().finish()) throw guest.slot().stoppedForMemory() ? stoppedForMemory(hook, null) : timedOut(hook, null);
        } catch (PolyglotException e) {
            boolean inTime = guest.slot().finish();
            if (!inTime && guest.slot().stoppedForMemory()) throw stoppedForMemory(hook, e);
            if (!inTime || e.isCancelled()) throw timedOut(hook, e);
            if (e.isHostException() && e.asHostException() instanceof StoreException se) throw se;
            throw new HookException(HookException.Kind.GUEST_ERROR, "bundle \"" + name + "\" hook " + hook.name() + " (" + hook.type().field() + "): "
                    + GuestFactory.describe(e), e);
        } catch (RuntimeException e) {
            guest.slot().finish();
            throw new HookException(HookException.Kind.GUEST_ERROR, "bundle \"" + name + "\" hook " + hook.name() + " (" + hook.type().field() + "): " + e, e);
        }
    }

    /**
     * Whether a context can serve again after a call failed: yes after a plugin error or a store
     * failure; no once the watchdog stopped it, after a GraalVM internal error or exhausted
     * resources, or when the host side of the call failed.
     */
    private static boolean contextUsableAfter(Exception failure) {
        if (failure instanceof StoreException) return true;
        if (!(failure instanceof HookException h) || h.kind() != HookException.Kind.GUEST_ERROR) return false;
        return h.getCause() == null || h.getCause() instanceof PolyglotException pe && !pe.isInternalError() && !pe.isResourceExhausted();
    }

    private HookException stoppedForMemory(HookRef hook, Throwable cause) {
        return new HookException(HookException.Kind.OUT_OF_MEMORY, "bundle \"" + name + "\" hook " + hook.name() + " (" + hook.type().field()
                + ") was stopped: the heap ran short while it ran", cause);
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
