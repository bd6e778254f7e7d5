/**
 * Bundles on disk and their place in routes. {@link io.polygate.bundle.BundleStore} finds a
 * bundle in {@code bundles_dir} (folder or zip), checks its manifest and files, has it loaded in
 * the background, keeps its status, and polls for changes (a new version is swapped in only once
 * it loaded; a broken one leaves the old version serving). {@link io.polygate.bundle.BundleSteps}
 * turns the loaded version into the steps and upstream wrapper of each API that uses it; routes
 * are rebuilt whenever a bundle changes state.
 */
package io.polygate.bundle;
