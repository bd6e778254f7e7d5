package io.polygate.bundle;

import io.polygate.plugin.BundleLoader.BundleLoadException;
import io.polygate.sdk.bundle.BundleArchive;
import io.polygate.sdk.bundle.BundleException;
import io.polygate.sdk.bundle.BundleLimits;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The seam to zip bundles: safe extraction (size, count and path limits) is
 * {@link BundleArchive}'s job; this only decides where a zip goes and reuses an earlier extraction
 * of the same content.
 */
final class ZipBundles {
    private ZipBundles() {}

    /** Extracts {@code zip} into {@code dest} (once per content hash) and returns the bundle folder. */
    static Path extract(String name, Path zip, Path dest) throws BundleLoadException {
        if (Files.isRegularFile(dest.resolve(BundleStore.MANIFEST))) return dest;
        try {
            return BundleArchive.extract(name, zip, dest, BundleLimits.defaults());
        } catch (BundleException e) {
            throw new BundleLoadException(e.getMessage(), e);
        }
    }
}
