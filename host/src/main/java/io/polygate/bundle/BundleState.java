package io.polygate.bundle;

import java.util.Locale;

/** A bundle's state on this node, as {@link BundleStatus#state()} shows it (in lower case). */
enum BundleState {
    /** No version has been tried yet: the first load is queued or running. */
    LOADING,
    /** A version is serving (a later load may have failed: then the status has an error too). */
    READY,
    /** The last load failed, or the version serving was taken out as unfit, and no version is serving. */
    FAILED,
    /** Neither uploaded nor in {@code bundles_dir} (or not a valid bundle name). */
    MISSING;

    String shown() { return name().toLowerCase(Locale.ROOT); }
}
