package io.polygate.sdk.bundle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A zip's central directory, read directly (not through {@code java.util.zip.ZipFile}) so that Unix
 * file types and exact entry names are seen, with every entry checked as {@link BundleArchive}
 * describes: names, file types, methods, zip64, overlaps and duplicates. Stateless.
 */
final class ZipDirectory {
    private static final int EOCD_SIG = 0x06054b50;
    private static final int CEN_SIG = 0x02014b50;
        private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int EOCD_LEN = 22;
    private static final int CEN_LEN = 46;
    static final int LOC_LEN = 30;

    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;

    private ZipDirectory() {}

    /**
     * One central directory entry, with its name checked and normalised; {@code regionEnd} is where
     * the next entry (or the central directory) starts, so its data must end there.
     */
    record Entry(String rawName, byte[] rawNameBytes, String name, boolean directory, boolean skipped,
                         int method, int flags, long crc, long compressedSize, long size, long localOffset, long regionEnd) {
        Entry withRegionEnd(long end) {
            return new Entry(rawName, rawNameBytes, name, directory, skipped, method, flags, crc, compressedSize, size, localOffset, end);
        }
    }

    /** The checked entries of the zip in {@code ch}, in central directory order, each with its region end. */
    static List<Entry> read(String bundle, FileChannel ch, long size, BundleLimits limits)
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

    static ByteBuffer read(FileChannel ch, long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            int n = ch.read(b, pos + b.position());
            if (n < 0) break;
        }
        b.flip();
        return b;
    }

    static int u16(ByteBuffer b, int i) { return b.getShort(i) & 0xFFFF; }

    static long u32(ByteBuffer b, int i) { return b.getInt(i) & 0xFFFF_FFFFL; }
}
