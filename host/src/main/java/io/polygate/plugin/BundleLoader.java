package io.polygate.plugin;

import io.polygate.sdk.manifest.BundleManifest;
import java.nio.file.Path;

/**
 * Turns a bundle directory with a parsed manifest into a {@link LoadedBundle}: evaluates the
 * code, checks every hook the manifest names exists, and warms the contexts. Blocking and slow
 * (seconds for a first Python bundle): call it off the request path.
 */
public interface BundleLoader {
    /**
     * @throws BundleLoadException with a message naming the bundle, the file and the problem
     */
    LoadedBundle load(String name, String version, Path dir, BundleManifest manifest) throws BundleLoadException;

    /** Checks, once at start-up and off the request path, that the runtime is the expected one (logs if not). */
    default void checkRuntime() {}

    /** Releases the engines. */
    void close();

    /** A bundle that could not be loaded; the message is shown to the user as is. */
    final class BundleLoadException extends Exception {
        public BundleLoadException(String message) { super(message); }

        public BundleLoadException(String message, Throwable cause) { super(message, cause); }
    }
}
