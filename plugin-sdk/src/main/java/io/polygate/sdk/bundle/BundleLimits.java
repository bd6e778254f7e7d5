package io.polygate.sdk.bundle;

/**
 * Size limits a bundle zip must stay within; {@link BundleArchive#extract} refuses anything over
 * them with {@link BundleException.Problem#TOO_LARGE}. File sizes are counted as bytes are actually
 * inflated, never taken from the zip headers, so a zip bomb or a lying header is stopped as soon
 * as it crosses a limit.
 *
 * @param maxZipBytes        the zip file itself, in bytes (1 .. 2 GiB - 1)
 * @param maxEntries         entries in the zip, folders included (1 .. 65535)
 * @param maxFileBytes       one file after inflating, in bytes (at least 1)
 * @param maxTotalBytes      all files together after inflating, in bytes (at least maxFileBytes)
 */
public record BundleLimits(long maxZipBytes, int maxEntries, long maxFileBytes, long maxTotalBytes) {
    private static final long MIB = 1024 * 1024;

    /** The largest zip a bundle may be configured to allow (bundles do not use zip64). */
    public static final long ZIP32_MAX_BYTES = Integer.MAX_VALUE;
    /** The most entries a bundle may have: more entries need zip64, which bundles do not use. */
    public static final int ZIP32_MAX_ENTRIES = 0xFFFF;

    /** @throws IllegalArgumentException when a limit is out of its range, naming it */
    public BundleLimits {
        if (maxZipBytes < 1 || maxZipBytes > ZIP32_MAX_BYTES)
            throw new IllegalArgumentException("maxZipBytes: " + maxZipBytes + " must be between 1 and " + ZIP32_MAX_BYTES);
        if (maxEntries < 1 || maxEntries > ZIP32_MAX_ENTRIES)
            throw new IllegalArgumentException("maxEntries: " + maxEntries + " must be between 1 and " + ZIP32_MAX_ENTRIES);
        if (maxFileBytes < 1)
            throw new IllegalArgumentException("maxFileBytes: " + maxFileBytes + " must be at least 1");
        if (maxTotalBytes < maxFileBytes)
            throw new IllegalArgumentException("maxTotalBytes: " + maxTotalBytes + " must be at least maxFileBytes (" + maxFileBytes + ")");
    }

    /**
     * Generous for plugin code with a few vendored libraries: a 20 MiB zip of at most 2000 entries,
     * no file over 20 MiB, 100 MiB in all once inflated.
     */
    public static BundleLimits defaults() {
        return new BundleLimits(20 * MIB, 2000, 20 * MIB, 100 * MIB);
    }
}
