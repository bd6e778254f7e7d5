package io.polygate.sdk.bundle;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Safe extraction of a bundle zip.
 *
 * <p>The zip's central directory is read directly (not through {@code java.util.zip.ZipFile}) so
 * that Unix file types and exact entry names are seen. An archive is refused, with a
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
    private static final int EOCD_SIG = 0x06054b50;
    private static final int CEN_SIG = 0x02014b50;
    private static final int LOC_SIG = 0x04034b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int EOCD_LEN = 22;
    private static final int CEN_LEN = 46;
    private static final int LOC_LEN = 30;

    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;

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
            entries = readCentralDirectory(bundleName, ch, size, limits);
            String prefix = bundleRootPrefix(bundleName, entries);
            return extractEntries(bundleName, ch, entries, prefix, destDir.toAbsolutePath().normalize(), limits);
        } catch (IOException e) {
            throw BundleException.io(bundleName, null, "cannot extract " + zip + " to " + destDir, e);
        }
    }

    /**
     * One central directory entry, with its name checked and normalised; {@code regionEnd} is where
     * the next entry (or the central directory) starts, so its data must end there.
     */
    private record Entry(String rawName, byte[] rawNameBytes, String name, boolean directory, boolean skipped,
                         int method, int flags, long crc, long compressedSize, long size, long localOffset, long regionEnd) {
        Entry withRegionEnd(long end) {
            return new Entry(rawName, rawNameBytes, name, directory, skipped, method, flags, crc, compressedSize, size, localOffset, end);
        }
    }

    private static List<Entry> readCentralDirectory(String bundle, FileChannel ch, long size, BundleLimits limits)
            throws IOException, BundleException {
        if (size < EOCD_LEN) throw BundleException.notAZip(bundle, "too short");
        int tailLen = (int) Math.min(size, EOCD_LEN + 0xFFFF);
        ByteBuffer tail = read(ch, size - tailLen, tailLen);
        int eocd = -1;
        for (int i = tailLen - EOCD_LEN; i >= 0; i--) {
            if (tail.getInt(i) == EOCD_SIG && i + EOCD_LEN + u16(tail, i + 20) == tailLen) { eocd = i; break; }
        }
        if (eocd < 0) throw BundleException.notAZip(bundle, "no end of central directory record");
        long eocdPos = size - tailLen + eocd;
        if (u16(tail, eocd + 4) != 0 || u16(tail, eocd + 6) != 0) throw BundleException.unsupported(bundle, null, "a multi-disk zip");
        int total = u16(tail, eocd + 10);
        long cenSize = u32(tail, eocd + 12);
        long cenOffset = u32(tail, eocd + 16);
        boolean zip64 = eocd >= 20 && tail.getInt(eocd - 20) == ZIP64_LOCATOR_SIG;
        if (zip64 || total == 0xFFFF || cenSize == 0xFFFF_FFFFL || cenOffset == 0xFFFF_FFFFL)
            throw BundleException.unsupported(bundle, null, "a zip64 archive");
        if (total != u16(tail, eocd + 8)) throw BundleException.unsupported(bundle, null, "a multi-disk zip");
        if (total > limits.maxEntries()) throw BundleException.tooManyEntries(bundle, total, limits.maxEntries());
        if (cenOffset + cenSize > eocdPos) throw BundleException.notAZip(bundle, "central directory lies outside the file");

        ByteBuffer cen = read(ch, cenOffset, (int) cenSize);
        List<Entry> entries = new ArrayList<>(total);
        int pos = 0;
        for (int n = 0; n < total; n++) {
            if (pos + CEN_LEN > cen.limit() || cen.getInt(pos) != CEN_SIG)
                throw BundleException.notAZip(bundle, "central directory entry " + n + " is malformed");
            int madeBy = u16(cen, pos + 4);
            int flags = u16(cen, pos + 8);
            int method = u16(cen, pos + 10);
            long crc = u32(cen, pos + 16);
            long csize = u32(cen, pos + 20);
            long usize = u32(cen, pos + 24);
            int nameLen = u16(cen, pos + 28), extraLen = u16(cen, pos + 30), commentLen = u16(cen, pos + 32);
            long external = u32(cen, pos + 38);
            long localOffset = u32(cen, pos + 42);
            if (pos + CEN_LEN + nameLen + extraLen + commentLen > cen.limit())
                throw BundleException.notAZip(bundle, "central directory entry " + n + " is malformed");
            byte[] nameBytes = new byte[nameLen];
            cen.get(pos + CEN_LEN, nameBytes);
            pos += CEN_LEN + nameLen + extraLen + commentLen;

            String raw = decodeName(bundle, nameBytes);
            entries.add(checkEntry(bundle, raw, nameBytes, madeBy, flags, method, crc, csize, usize, external, localOffset));
        }
        entries = withRegions(bundle, entries, cenOffset);
        checkDuplicates(bundle, entries);
        return entries;
    }

    private static String decodeName(String bundle, byte[] nameBytes) throws BundleException {
        try {
            // Tyk (Go), Java and Info-ZIP all write UTF-8 names; bytes that are not UTF-8 are refused
            // rather than guessed as CP437, so the name checked is the name written.
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(nameBytes)).toString();
        } catch (CharacterCodingException e) {
            throw BundleException.unsafePath(bundle, new String(nameBytes, StandardCharsets.ISO_8859_1), "entry name is not valid UTF-8");
        }
    }

    private static Entry checkEntry(String bundle, String raw, byte[] rawBytes, int madeBy, int flags, int method,
                                    long crc, long csize, long usize, long external, long localOffset)
            throws BundleException {
        if (raw.isEmpty()) throw BundleException.unsafePath(bundle, raw, "entry has an empty name");
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < 0x20 || c == 0x7f) throw BundleException.unsafePath(bundle, raw, "entry name contains a control character");
        }
        if (raw.indexOf('\\') >= 0) throw BundleException.unsafePath(bundle, raw, "entry name contains a backslash");
        if (raw.startsWith("/")) throw BundleException.unsafePath(bundle, raw, "entry has an absolute path");
        if (raw.indexOf(':') >= 0) throw BundleException.unsafePath(bundle, raw, "entry name contains ':' (a drive letter or stream name)");

        boolean directory = raw.endsWith("/");
        List<String> segments = new ArrayList<>();
        for (String s : raw.split("/")) {
            if (s.equals("..")) throw BundleException.unsafePath(bundle, raw, "entry escapes the bundle folder");
            if (!s.isEmpty() && !s.equals(".")) segments.add(s);
        }
        String name = String.join("/", segments);

        int unixType = (int) (external >>> 16) & S_IFMT;
        if (unixType == S_IFLNK) throw BundleException.link(bundle, raw, "symbolic link");
        if (unixType != 0 && unixType != S_IFREG && unixType != S_IFDIR) throw BundleException.link(bundle, raw, "special file");
        if (unixType == S_IFDIR) directory = true;

        if ((flags & 0x0001) != 0 || (flags & 0x0040) != 0) throw BundleException.unsupported(bundle, raw, "an encrypted entry");
        if (method != 0 && method != 8) throw BundleException.unsupported(bundle, raw, "compression method " + method);
        if (csize == 0xFFFF_FFFFL || usize == 0xFFFF_FFFFL || localOffset == 0xFFFF_FFFFL)
            throw BundleException.unsupported(bundle, raw, "a zip64 entry");

        boolean skipped = name.isEmpty()
                || segments.get(0).equals("__MACOSX")
                || segments.get(segments.size() - 1).equals(".DS_Store");
        return new Entry(raw, rawBytes, name, directory, skipped, method, flags, crc, csize, usize, localOffset, -1);
    }

    /** The entries, in central directory order, each with its region end; refuses overlapping entries. */
    private static List<Entry> withRegions(String bundle, List<Entry> entries, long cenOffset) throws BundleException {
        // Overlapping entries are how non-recursive zip bombs reuse one compressed stream many times.
        List<Integer> byOffset = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) byOffset.add(i);
        byOffset.sort(Comparator.comparingLong(i -> entries.get(i).localOffset()));
        List<Entry> out = new ArrayList<>(entries);
        for (int k = 0; k < byOffset.size(); k++) {
            Entry e = entries.get(byOffset.get(k));
            long next = k + 1 < byOffset.size() ? entries.get(byOffset.get(k + 1)).localOffset() : cenOffset;
            if (e.localOffset() + LOC_LEN + e.rawNameBytes().length + e.compressedSize() > next)
                throw BundleException.corrupt(bundle, e.rawName(), "its data overlaps another entry or the central directory");
            out.set(byOffset.get(k), e.withRegionEnd(next));
        }
        return out;
    }

    private static void checkDuplicates(String bundle, List<Entry> entries) throws BundleException {
        Map<String, Entry> seen = new HashMap<>();
        Map<String, Entry> files = new HashMap<>();
        for (Entry e : entries) {
            if (e.name().isEmpty()) continue;
            String key = e.name().toLowerCase(Locale.ROOT);
            Entry before = seen.putIfAbsent(key, e);
            if (before != null) {
                // An explicit folder entry next to the same folder implied by its files is normal; two folder entries are harmless.
                if (before.directory() && e.directory()) continue;
                throw BundleException.duplicate(bundle, e.rawName(), before.rawName());
            }
            if (!e.directory()) files.put(key, e);
        }
        for (Entry e : entries) {
            String key = e.name().toLowerCase(Locale.ROOT);
            for (int slash = key.indexOf('/'); slash > 0; slash = key.indexOf('/', slash + 1)) {
                Entry file = files.get(key.substring(0, slash));
                if (file != null) throw BundleException.duplicate(bundle, e.rawName(), file.rawName());
            }
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
                writeEntry(bundle, ch, e, target, limits, total);
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

    private static void writeEntry(String bundle, FileChannel ch, Entry e, Path target, BundleLimits limits, long[] total)
            throws IOException, BundleException {
        ByteBuffer loc = read(ch, e.localOffset(), LOC_LEN);
        if (loc.limit() < LOC_LEN || loc.getInt(0) != LOC_SIG) throw BundleException.corrupt(bundle, e.rawName(), "no local header at its offset");
        int nameLen = u16(loc, 26), extraLen = u16(loc, 28);
        byte[] localName = new byte[nameLen];
        read(ch, e.localOffset() + LOC_LEN, nameLen).get(0, localName);
        if (!java.util.Arrays.equals(localName, e.rawNameBytes()))
            throw BundleException.corrupt(bundle, e.rawName(), "local header names a different file");
        long dataStart = e.localOffset() + LOC_LEN + nameLen + extraLen;
        if (dataStart + e.compressedSize() > e.regionEnd())
            throw BundleException.corrupt(bundle, e.rawName(), "its data overlaps another entry or the central directory");

        CRC32 crc = new CRC32();
        long written = 0;
        byte[] out = new byte[64 * 1024];
        try (OutputStream os = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long pos = dataStart, end = dataStart + e.compressedSize();
            if (e.method() == 0) {
                while (pos < end) {
                    int n = (int) Math.min(out.length, end - pos);
                    ByteBuffer b = read(ch, pos, n);
                    if (b.limit() < n) throw BundleException.corrupt(bundle, e.rawName(), "data is truncated");
                    b.get(0, out, 0, n);
                    pos += n;
                    written = count(bundle, e, n, written, total, limits);
                    crc.update(out, 0, n);
                    os.write(out, 0, n);
                }
            } else {
                Inflater inflater = new Inflater(true);
                try {
                    boolean padded = false;
                    while (!inflater.finished()) {
                        if (inflater.needsInput()) {
                            if (pos < end) {
                                int n = (int) Math.min(out.length, end - pos);
                                ByteBuffer b = read(ch, pos, n);
                                pos += n;
                                inflater.setInput(b);
                            } else if (!padded) {
                                // raw inflate may want one byte past the stream to finish (see Inflater(boolean))
                                inflater.setInput(new byte[1]);
                                padded = true;
                            } else {
                                throw BundleException.corrupt(bundle, e.rawName(), "deflate data is truncated");
                            }
                        }
                        int n;
                        try {
                            n = inflater.inflate(out);
                        } catch (DataFormatException ex) {
                            throw BundleException.corrupt(bundle, e.rawName(), "bad deflate data: " + ex.getMessage());
                        }
                        if (n == 0 && inflater.needsDictionary()) throw BundleException.corrupt(bundle, e.rawName(), "deflate data needs a dictionary");
                        if (n > 0) {
                            written = count(bundle, e, n, written, total, limits);
                            crc.update(out, 0, n);
                            os.write(out, 0, n);
                        }
                    }
                } finally {
                    inflater.end();
                }
            }
        }
        if (written != e.size())
            throw BundleException.corrupt(bundle, e.rawName(), "header says " + e.size() + " bytes, data holds " + written);
        if (crc.getValue() != e.crc()) throw BundleException.corrupt(bundle, e.rawName(), "CRC mismatch");
    }

    private static long count(String bundle, Entry e, int n, long written, long[] total, BundleLimits limits) throws BundleException {
        written += n;
        total[0] += n;
        if (written > limits.maxFileBytes()) throw BundleException.fileTooLarge(bundle, e.rawName(), limits.maxFileBytes());
        if (total[0] > limits.maxTotalBytes()) throw BundleException.totalTooLarge(bundle, e.rawName(), limits.maxTotalBytes());
        return written;
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

    private static ByteBuffer read(FileChannel ch, long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            int n = ch.read(b, pos + b.position());
            if (n < 0) break;
        }
        b.flip();
        return b;
    }

    private static int u16(ByteBuffer b, int i) { return b.getShort(i) & 0xFFFF; }

    private static long u32(ByteBuffer b, int i) { return b.getInt(i) & 0xFFFF_FFFFL; }
}
