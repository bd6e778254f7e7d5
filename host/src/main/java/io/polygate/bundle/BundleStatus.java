package io.polygate.bundle;

import java.time.Instant;

/**
 * What this gateway node knows about one bundle, as {@code GET /bundles} shows it.
 *
 * @param state    {@code loading}, {@code ready}, {@code failed} (the last load failed, or the
 *                 version serving was taken out as unfit, and no version is serving) or
 *                 {@code missing}; a failed reload of a bundle that is serving, or a version taken
 *                 out with the one before it serving again, keeps {@code ready} and sets {@code error}
 * @param version  the content hash of the version serving, or null
 * @param error    the last load error (names the bundle, the file and the problem) or why the
 *                 version was taken out, or null
 * @param loadedAt when the version serving was swapped in, or null
 * @param source   where the version serving came from: {@code upload} or {@code bundles_dir}
 * @param errorAt  when {@code error} happened, or null
 */
public record BundleStatus(String name, String state, String version, String driver, String error, Instant loadedAt,
                           String source, Instant errorAt) {}
