/**
 * Bundle tooling: safe extraction, verification and building of plugin bundles in Tyk's format.
 *
 * <p>A bundle is a zip (or a folder) holding {@code manifest.json} and the files its
 * {@code file_list} names. The flow on the gateway is:
 * <ol>
 *   <li>{@link io.polygate.sdk.bundle.BundleArchive#extract} unpacks an uploaded zip into a fresh
 *       folder, refusing unsafe or oversized archives ({@link io.polygate.sdk.bundle.BundleLimits});</li>
 *   <li>{@link io.polygate.sdk.bundle.BundleVerifier#readManifest} reads the manifest;</li>
 *   <li>{@link io.polygate.sdk.bundle.BundleVerifier#verify} checks {@code checksum} and, with a
 *       public key configured, {@code signature} (and {@code signature_strict});</li>
 *   <li>the plugin runtime then loads the hooks.</li>
 * </ol>
 * {@link io.polygate.sdk.bundle.BundleBuilder} and {@link io.polygate.sdk.bundle.BundleCli} make
 * bundles ({@code ./polygate bundle build}), check them ({@code ./polygate bundle verify}) and
 * upload them ({@code ./polygate bundle push}).
 * Every refusal is a {@link io.polygate.sdk.bundle.BundleException} naming bundle, file and problem.
 * No Jetty, no Redis: crypto is the JDK's.
 */
package io.polygate.sdk.bundle;
