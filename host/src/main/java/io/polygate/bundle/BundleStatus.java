package io.polygate.bundle;

/**
 * What the gateway knows about one bundle, as {@code GET /bundles} shows it.
 *
 * @param state   {@code loading}, {@code ready}, {@code failed} (the last load failed; if a
 *                previous version was ready it keeps serving) or {@code missing}
 * @param version the content hash of the version serving, or null
 * @param error   the last load error (names the bundle, the file and the problem), or null
 * @param loadedAt when the version serving was loaded (ISO-8601), or null
 */
public record BundleStatus(String name, String state, String version, String driver, String error, String loadedAt) {}
