package io.polygate.plugin;

import io.polygate.sdk.manifest.BundleManifest;
import io.polygate.sdk.manifest.HookRef;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One version of a bundle, loaded and warm: its manifest and a way to call its hooks.
 *
 * <p>Threading: {@link #submit} may be called from many request threads at once and never blocks;
 * calls run on the bundle's contexts, in parallel up to the pool size, and queue beyond it.
 * {@link #invoke} is the same call for a thread that may wait for it.
 */
public interface LoadedBundle extends AutoCloseable {
    String name();

    /** A short content hash of the bundle's files: changes whenever a file changes. */
    String version();

    BundleManifest manifest();

    /**
     * Runs one hook of the manifest on a call, without holding the caller's thread: the hook reads
     * the request, session, metadata and spec through {@code call}, and what it changed is
     * recorded in {@code call} when the returned stage completes. The stage completes on the
     * thread that ran the hook, so what follows on it must not block; it completes exceptionally
     * with a {@link HookException} when the plugin failed, timed out, or the bundle is busy or
     * closed, and with the {@code StoreException} of a store call the hook made.
     */
    CompletableFuture<Void> submit(HookRef hook, HookCall call);

    /**
     * {@link #submit} and wait for the hook.
     *
     * @throws HookException the plugin failed, timed out, or the bundle is busy or closed
     */
    default void invoke(HookRef hook, HookCall call) throws HookException {
        try {
            submit(hook, call).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof HookException h) throw h;
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }

    /** How many contexts are built and serving: one when the version goes live, then up to the pool size. */
    int contexts();

    /**
     * Whom to tell, once, when this version can no longer be trusted to serve: the memory guard
     * stopped its calls {@code plugins.memory_strikes} times. Called on a runtime thread with a
     * message naming the bundle, the version and why; it must not block. A later call replaces
     * the listener.
     */
    void onUnfit(java.util.function.Consumer<String> listener);

    /** Closes the contexts once the calls in flight have finished; later calls fail with CLOSED. */
    @Override
    void close();
}
