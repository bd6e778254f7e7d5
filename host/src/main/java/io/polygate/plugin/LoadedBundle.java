package io.polygate.plugin;

import io.polygate.sdk.manifest.BundleManifest;
import io.polygate.sdk.manifest.HookRef;

/**
 * One version of a bundle, loaded and warm: its manifest and a way to call its hooks.
 *
 * <p>Threading: {@link #invoke} may be called from many request threads at once; each call runs
 * on a context of its own (a pool), so calls run in parallel up to the pool size and wait for a
 * free context beyond it. Blocking: {@link #invoke} blocks until the hook returns, fails or is
 * stopped at its time limit.
 */
public interface LoadedBundle extends AutoCloseable {
    String name();

    /** A short content hash of the bundle's files: changes whenever a file changes. */
    String version();

    BundleManifest manifest();

    /**
     * Runs one hook of the manifest on a call: the hook reads the request, session, metadata and
     * spec through {@code call}, and what it changed is recorded in {@code call} when it returns.
     *
     * @throws HookException the plugin failed, timed out, or the bundle is busy or closed
     */
    void invoke(HookRef hook, HookCall call) throws HookException;

    /** How many contexts are built and serving: one when the version goes live, then up to the pool size. */
    int contexts();

    /** Closes the contexts once the calls in flight have finished; later calls fail with CLOSED. */
    @Override
    void close();
}
