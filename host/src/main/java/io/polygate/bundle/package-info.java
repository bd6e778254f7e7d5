/**
 * The bundle lifecycle: where bundles come from, how a version goes live, and when it goes away.
 *
 * <pre>
 *  POST /bundles?name=x ─ BundleUploads ─┐                ┌─ BundleCluster: notice on polygate:bundles → other nodes
 *  bundles_dir poll ───── BundleFolder ──┼→ BundlePreparer: extract (BundleArchive) → verify (BundleVerifier)
 *  notice / node start ── StoredBundles ─┘     → manifest → content version → load + warm contexts (BundleLoader)
 *                                          → BundleSlots: swap: routes rebuilt on the new {@link io.polygate.bundle.BundleVersion}
 *                                            (assembly.ApiRegistry.refresh) → old version retired → closed when idle
 * </pre>
 *
 * <p>{@link io.polygate.bundle.BundleStore} is the facade over these parts that the gateway and the
 * admin API use; {@link io.polygate.bundle.BundleSources} picks the source of each load, and
 * {@link io.polygate.bundle.LoadQueue} runs the loads of one bundle in order.
 *
 * <p>Each request holds the {@link io.polygate.bundle.BundleVersion} of the route it matched (a
 * {@link io.polygate.chain.Pin}, taken by {@code proxy.ChainHandler} before the first step and given back
 * when the response is complete), so a reload never pulls a version from under a request.
 * {@link io.polygate.bundle.BundleSteps} turns the version serving into the API's chain steps.
 *
 * <p>May use: {@code auth} and {@code plugin} (the hook steps), {@code proxy}, {@code chain}, the
 * plugin-sdk's bundle archive and manifest, and the base ({@code config}, {@code observability},
 * {@code storage}, {@code session}); used by {@code assembly} and {@code admin}.
 */
package io.polygate.bundle;
