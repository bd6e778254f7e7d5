package io.polygate.plugin;

import io.polygate.sdk.manifest.BundleManifest;
import io.polygate.sdk.manifest.HookType;

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
     * Runs one hook on a request state.
     *
     * @param type      the kind of hook (decides the arguments the hook gets)
     * @param hook      the hook's name from the manifest
     * @param stateJson {@code {"request":…, "session":…, "metadata":…, "spec":…, "response":…}}
     * @return the state after the hook, same shape, as JSON
     * @throws HookException the plugin failed, timed out, or the bundle is busy or closed
     */
    String invoke(HookType type, String hook, String stateJson) throws HookException;

    /** Closes the contexts once the calls in flight have finished; later calls fail with CLOSED. */
    @Override
    void close();
}
