package io.polygate.bundle;

import io.polygate.plugin.BundleLoader.BundleLoadException;
import java.nio.file.Path;

/**
 * The seam to zip bundles: safe extraction (size, count and path limits; checksum and signature
 * checks) belongs to {@code io.polygate.sdk.bundle.BundleArchive} (issue 5). Until that is part
 * of the build, zip bundles are refused with a clear error; folder bundles work.
 */
final class ZipBundles {
    private ZipBundles() {}

    /** Extracts {@code zip} into {@code dest} (once per content hash) and returns the bundle folder. */
    static Path extract(String name, Path zip, Path dest) throws BundleLoadException {
        throw new BundleLoadException("bundle \"" + name + "\": " + zip.getFileName()
                + ": zip bundles need the bundle extractor (io.polygate.sdk.bundle.BundleArchive), which this build does not have yet; "
                + "unpack it into a folder " + name + "/ in the bundles directory instead");
    }
}
