package io.polygate.sdk.bundle;

import io.polygate.sdk.bundle.ZipDirectory.Entry;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Safe extraction of a bundle zip.
 *
 * <p>The zip's central directory is read by {@link ZipDirectory} (directly, not through
 * {@code java.util.zip.ZipFile}, so that Unix file types and exact entry names are seen) and each
 * file's data by {@link ZipEntryData}. An archive is refused, with a
 * {@link BundleException} naming the bundle, the entry and the problem, when:
 * <ul>
 *   <li>the zip file is larger than {@link BundleLimits#maxZipBytes()} or has more entries than
 *       {@link BundleLimits#maxEntries()} ({@code TOO_LARGE});</li>
 *   <li>an entry name is empty, absolute ({@code /x}), has a drive letter or a colon ({@code C:x}),
 *       a backslash, a control character, or a {@code ..} segment ({@code UNSAFE_PATH});</li>
 *   <li>an entry is a symbolic link or other special file according to its Unix mode
 *       ({@code LINK});</li>
 *   <li>two entries have the same name after normalising {@code .} segments, ignoring letter case,
 *       or a file has the name of a folder ({@code DUPLICATE_ENTRY});</li>
 *   <li>a file inflates to more than {@link BundleLimits#maxFileBytes()}, or all files together to
 *       more than {@link BundleLimits#maxTotalBytes()}: bytes are counted as they are inflated, the
 *       sizes in the headers are not trusted ({@code TOO_LARGE});</li>
 *   <li>entries are encrypted, use a method other than stored or deflated, or the archive needs
 *       zip64 or several disks ({@code UNSUPPORTED_ZIP});</li>
 *   <li>entries overlap, a local header disagrees with the central directory, or CRC or size do not
 *       match ({@code CORRUPT_ZIP});</li>
 *   <li>there is no {@code manifest.json} at the zip root or inside a single top-level folder
 *       ({@code MANIFEST_INVALID}).</li>
 * </ul>
 * macOS Finder's {@code __MACOSX/} folder and {@code .DS_Store} files are skipped, not extracted.
 *
 * <p>Thread-safe: the class has no state. Extraction blocks on file I/O.
 */
public final class BundleArchive {
    private BundleArchive() {}

    /** Same as {@link #extract(String, Path, Path, BundleLimits)}, naming the bundle after the zip file. */
    public static Path extract(Path zip, Path destDir, BundleLimits limits) throws BundleException {
        return extract(String.valueOf(zip.getFileName()), zip, destDir, limits);
    }

    /**
     * Extracts a bundle zip into {@code destDir}, which must not exist yet (an empty folder is
     * replaced). The zip's files may sit at its root or inside one top-level folder (as zips made by
     * Finder, {@code zip -r} or Tyk's docs often are); either way {@code destDir} ends up holding
     * {@code manifest.json} and the files directly.
     *
     * <p>Everything is first written to a fresh temporary folder next to {@code destDir}, which is
     * then renamed into place, so {@code destDir} either appears complete or not at all; on failure
     * the temporary folder is deleted. (Only a crash of the JVM mid-extraction can leave one behind:
     * it is named {@code .<destDir name>.extracting-<random>}, next to {@code destDir}, and may be
     * deleted at start-up.) Files are created with default permissions; the modes in the zip are not
     * applied.
     *
     * @param bundleName how the bundle is named in error messages (e.g. the upload name)
     * @param zip        the zip file to read
     * @param destDir    where the bundle root should appear; its parent is created if missing
     * @param limits     the size limits to enforce
     * @return {@code destDir}, now holding {@code manifest.json} and the bundle's files
     * @throws BundleException when the zip is refused (see the class comment for each reason), when
     *         {@code destDir} already exists and is not empty, or on an I/O error ({@code IO})
     */
    public static Path extract(String bundleName, Path zip, Path destDir, BundleLimits limits) throws BundleException {
        List<Entry> entries;
        try (FileChannel ch = FileChannel.open(zip, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > limits.maxZipBytes()) throw BundleException.zipTooLarge(bundleName, size, limits.maxZipBytes());
            entries = ZipDirectory.read(bundleName, ch, size, limits);
            String prefix = bundleRootPrefix(bundleName, entries);
            return extractEntries(bundleName, ch, entries, prefix, destDir.toAbsolutePath().normalize(), limits);
        } catch (IOException e) {
            throw BundleException.io(bundleName, null, "cannot extract " + zip + " to " + destDir, e);
        }
    }

    /** "" when manifest.json is at the zip root, "top/" when everything sits in one top-level folder. */
    private static String bundleRootPrefix(String bundle, List<Entry> entries) throws BundleException {
        Set<String> tops = new LinkedHashSet<>();
        boolean allNested = true;
        for (Entry e : entries) {
            if (e.skipped()) continue;
            if (!e.directory() && e.name().equals("manifest.json")) return "";
            int slash = e.name().indexOf('/');
            if (slash < 0) {
                if (!e.directory()) allNested = false;
                tops.add(e.name());
            } else {
                tops.add(e.name().substring(0, slash));
            }
        }
        if (allNested && tops.size() == 1) {
            String top = tops.iterator().next();
            for (Entry e : entries) {
                if (!e.skipped() && !e.directory() && e.name().equals(top + "/manifest.json")) return top + "/";
            }
        }
        throw BundleException.manifestInvalid(bundle, "manifest.json", "no manifest.json at the zip root or inside a single top-level folder");
    }

    private static Path extractEntries(String bundle, FileChannel ch, List<Entry> entries, String prefix, Path destDir,
                                       BundleLimits limits) throws IOException, BundleException {
        Path parent = destDir.getParent();
        if (parent == null) throw new IllegalArgumentException("destDir has no parent folder: " + destDir);
        if (Files.exists(destDir, LinkOption.NOFOLLOW_LINKS) && !isEmptyDirectory(destDir))
            throw BundleException.io(bundle, null, "cannot extract", new FileAlreadyExistsException(destDir.toString(), null, "destination exists and is not empty"));
        Files.createDirectories(parent);
        Path temp = Files.createTempDirectory(parent, "." + destDir.getFileName() + ".extracting-");
        try {
            long[] total = {0};
            for (Entry e : entries) {
                if (e.skipped()) continue;
                Path target = temp.resolve(e.name()).normalize();
                if (!target.startsWith(temp)) throw BundleException.unsafePath(bundle, e.rawName(), "entry escapes the bundle folder");
                if (e.directory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                ZipEntryData.write(bundle, ch, e, target, limits, total);
            }
            Path root = prefix.isEmpty() ? temp : temp.resolve(prefix.substring(0, prefix.length() - 1));
            if (Files.exists(destDir, LinkOption.NOFOLLOW_LINKS)) Files.delete(destDir);
            try {
                Files.move(root, destDir, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(root, destDir);
            }
            return destDir;
        } catch (DirectoryNotEmptyException | FileAlreadyExistsException e) {
            throw BundleException.io(bundle, null, "cannot extract", e);
        } finally {
            if (Files.exists(temp, LinkOption.NOFOLLOW_LINKS)) deleteTree(temp);
        }
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return false;
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a leftover temp folder is visible and harmless
                }
            });
        } catch (IOException ignored) {
            // best effort, as above
        }
    }
}
