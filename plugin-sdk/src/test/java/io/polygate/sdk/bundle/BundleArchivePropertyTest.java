package io.polygate.sdk.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.sdk.testing.JsonArbitraries;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * {@link BundleArchive#extract} and then {@link BundleVerifier} (what an upload goes through) on
 * any bytes and on real zips with their headers patched: entries renamed out of the folder, to
 * absolute paths or to another entry's name, huge declared sizes, wrong CRCs, links, encryption,
 * bad offsets, truncation, a wrong checksum in the manifest. Each either extracts completely or
 * is refused with a {@link BundleException} naming the bundle, leaving nothing behind (tries:
 * 1,000, or 10,000 with {@code -Pfuzz}).
 */
class BundleArchivePropertyTest {
    private static final BundleLimits SMALL = new BundleLimits(64 * 1024, 12, 10_000, 20_000);

    /** Entry names, several of one length so that a rename can turn one into another (a duplicate). */
    private static final List<String> NAMES = List.of("middleware.py", "Middleware.py", "lib/util.py", "lib/Util.py",
            "lib/", "a.py", "b.py", "A.PY", "top/manifest.json", "top/a.py", "__MACOSX/._a.py", ".DS_Store",
            "\u00e9t\u00e9.py", "x".repeat(300), "./c.py", "d//e.py");

    /** What a patch writes over a real zip's header bytes. */
    private enum Patch { RENAME_OUTSIDE, RENAME_ABSOLUTE, RENAME_TO_OTHER, RENAME_LOCAL_ONLY, LOCAL_NAME_LENGTH, DECLARED_SIZE,
        CRC, UNIX_MODE, ENCRYPTED, METHOD, LOCAL_OFFSET, ENTRY_COUNT, FLIP_BYTE, TRUNCATE }

    private record Entry(String name, byte[] content, boolean stored) {}

    private record Mutation(Patch patch, int entry, int value) {}

    private Path tmp;
    private int tryNumber;

    @BeforeProperty
    void createFolder() throws IOException { tmp = Files.createTempDirectory("bundle-archive-property"); }

    @AfterProperty
    void deleteFolder() { BundleArchive.deleteTree(tmp); }

    @Property
    void anyBytesAreRefusedWithTheProblemAndLeaveNothingBehind(@ForAll("bytes") byte[] zip) throws IOException {
        extractsWhollyOrIsRefused(zip, SMALL);
    }

    @Property
    void aRealZipWithPatchedHeadersExtractsWhollyOrIsRefused(@ForAll("zips") byte[] zip, @ForAll boolean smallLimits) throws IOException {
        extractsWhollyOrIsRefused(zip, smallLimits ? SMALL : BundleLimits.defaults());
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        // random bytes, and random bytes behind which an end-of-central-directory record points anywhere
        Arbitrary<byte[]> withEocd = Combinators.combine(JsonArbitraries.bytes(), Arbitraries.integers(), Arbitraries.integers(),
                Arbitraries.shorts()).as((junk, cenSize, cenOffset, count) -> {
                    ByteBuffer b = ByteBuffer.allocate(junk.length + 22).order(ByteOrder.LITTLE_ENDIAN).put(junk);
                    b.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort(count).putShort(count)
                            .putInt(cenSize).putInt(cenOffset).putShort((short) 0);
                    return b.array();
                });
        return Arbitraries.oneOf(JsonArbitraries.bytes(), withEocd);
    }

    @Provide
    Arbitrary<byte[]> zips() {
        Arbitrary<byte[]> content = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(200),
                Arbitraries.integers().between(0, 30_000).map(byte[]::new)); // zeros: deflates small, inflates past the limits
        Arbitrary<Entry> entry = Combinators.combine(Arbitraries.of(NAMES), content, Arbitraries.of(true, false)).as(Entry::new);
        Arbitrary<List<Entry>> entries = entry.list().ofMaxSize(6).uniqueElements(Entry::name);
        Arbitrary<Mutation> mutation = Combinators.combine(Arbitraries.of(Patch.class), Arbitraries.integers().between(0, 20),
                Arbitraries.integers()).as(Mutation::new);
        return Combinators.combine(entries, Arbitraries.of(true, false), Arbitraries.of(true, false), mutation.list().ofMaxSize(3))
                .as((files, manifestAtRoot, rightChecksum, patches) -> {
                    byte[] zip = zip(files, manifestAtRoot, rightChecksum);
                    for (Mutation m : patches) zip = patch(zip, m);
                    return zip;
                });
    }

    private void extractsWhollyOrIsRefused(byte[] zipBytes, BundleLimits limits) throws IOException {
        Path folder = tmp.resolve("try-" + tryNumber++);
        Files.createDirectories(folder);
        Path zip = Files.write(folder.resolve("upload.zip"), zipBytes);
        Path dest = folder.resolve("out").resolve("bundle");
        try {
            Path root;
            try {
                root = BundleArchive.extract("fuzz", zip, dest, limits);
            } catch (BundleException e) {
                namesTheBundle(e);
                assertThat(children(dest.getParent())).as("a refused zip leaves nothing behind").isEmpty();
                Statistics.collect("extract refused", e.problem());
                return;
            }
            assertThat(root.resolve("manifest.json")).isRegularFile();
            assertThat(children(dest.getParent())).as("only the bundle folder, no temporary one").containsExactly(dest.toAbsolutePath());
            try {
                BundleVerifier.checksumOnly().verify("fuzz", BundleVerifier.readManifest("fuzz", root), root);
                Statistics.collect("verified", null);
            } catch (BundleException e) {
                namesTheBundle(e);
                Statistics.collect("verify refused", e.problem());
            }
        } finally {
            BundleArchive.deleteTree(folder);
        }
    }

    private static void namesTheBundle(BundleException e) {
        assertThat(e.getMessage()).startsWith("bundle \"fuzz\": ").hasSizeGreaterThan("bundle \"fuzz\": ".length());
        assertThat(e.problem()).isNotNull();
    }

    private static List<Path> children(Path dir) throws IOException {
        if (!Files.exists(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    /** A real zip of the entries and a manifest listing the files, its checksum right or wrong. */
    private static byte[] zip(List<Entry> files, boolean manifestAtRoot, boolean rightChecksum) {
        TestZips z = TestZips.zip();
        List<String> listed = new ArrayList<>();
        MessageDigest md5 = BundleContent.digest("MD5");
        for (Entry e : files) {
            if (e.name().endsWith("/")) z.dir(e.name());
            else if (e.stored()) z.stored(e.name(), new String(e.content(), StandardCharsets.ISO_8859_1));
            else z.file(e.name(), e.content());
            if (!e.name().endsWith("/") && !e.name().startsWith("top/")) {
                listed.add(e.name());
                md5.update(e.stored() ? new String(e.content(), StandardCharsets.ISO_8859_1).getBytes(StandardCharsets.UTF_8) : e.content());
            }
        }
        String checksum = rightChecksum ? HexFormat.of().formatHex(md5.digest()) : "0".repeat(32);
        String list = String.join("\",\"", listed.stream().map(n -> n.replace("\\", "\\\\").replace("\"", "\\\"")).toList());
        String manifest = "{\"file_list\":[" + (listed.isEmpty() ? "" : "\"" + list + "\"") + "],\"checksum\":\"" + checksum + "\"}";
        if (manifestAtRoot && files.stream().noneMatch(e -> e.name().equals("manifest.json"))) z.file("manifest.json", manifest);
        try {
            return z.bytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The zip with one patch applied to the central header of entry {@code m.entry} (modulo their count). */
    private static byte[] patch(byte[] zip, Mutation m) {
        List<Integer> headers = centralHeaders(zip);
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        if (zip.length < 22) return zip;
        if (m.patch() == Patch.TRUNCATE) return java.util.Arrays.copyOf(zip, Math.floorMod(m.value(), zip.length + 1));
        if (m.patch() == Patch.FLIP_BYTE) {
            zip[Math.floorMod(m.value(), zip.length)] ^= (byte) (1 + (m.entry() % 255));
            return zip;
        }
        if (m.patch() == Patch.ENTRY_COUNT) {
            int eocd = zip.length - 22;
            b.putShort(eocd + 8, (short) m.value()).putShort(eocd + 10, (short) m.value());
            return zip;
        }
        if (headers.isEmpty()) return zip;
        int cen = headers.get(m.entry() % headers.size());
        int nameLen = b.getShort(cen + 28) & 0xFFFF;
        int loc = b.getInt(cen + 42);
        switch (m.patch()) {
            case RENAME_OUTSIDE -> rename(zip, cen, loc, nameLen, "../");
            case RENAME_ABSOLUTE -> rename(zip, cen, loc, nameLen, m.value() % 2 == 0 ? "/" : "C:");
            case RENAME_LOCAL_ONLY -> {
                if (loc >= 0 && loc + 31 <= zip.length) zip[loc + 30] ^= 1;
            }
            case LOCAL_NAME_LENGTH -> {
                if (loc >= 0 && loc + 30 <= zip.length) b.putShort(loc + 26, (short) (m.value() % 2 == 0 ? 0xFFFF : nameLen + 1 + (m.value() & 0xFF)));
            }
            case RENAME_TO_OTHER -> {
                for (int other : headers) {
                    if (other != cen && (b.getShort(other + 28) & 0xFFFF) == nameLen) {
                        byte[] name = java.util.Arrays.copyOfRange(zip, other + 46, other + 46 + nameLen);
                        System.arraycopy(name, 0, zip, cen + 46, nameLen);
                        if (loc >= 0 && loc + 30 + nameLen <= zip.length) System.arraycopy(name, 0, zip, loc + 30, nameLen);
                        break;
                    }
                }
            }
            case DECLARED_SIZE -> {
                int size = switch (Math.floorMod(m.value(), 4)) { case 0 -> -1; case 1 -> Integer.MAX_VALUE; case 2 -> 0; default -> m.value(); };
                b.putInt(cen + (m.value() % 2 == 0 ? 24 : 20), size);
            }
            case CRC -> b.putInt(cen + 16, b.getInt(cen + 16) ^ (m.value() | 1));
            case UNIX_MODE -> {
                zip[cen + 5] = 3;
                int[] modes = {0120777, 0010644, 0060644, 0040755, 0100644};
                b.putInt(cen + 38, modes[Math.floorMod(m.value(), modes.length)] << 16);
            }
            case ENCRYPTED -> b.putShort(cen + 8, (short) (b.getShort(cen + 8) | (m.value() % 2 == 0 ? 0x0001 : 0x0040)));
            case METHOD -> b.putShort(cen + 10, (short) (m.value() % 2 == 0 ? 12 : m.value()));
            case LOCAL_OFFSET -> b.putInt(cen + 42, m.value() % 2 == 0 ? Math.floorMod(m.value(), zip.length) : m.value());
            default -> throw new IllegalStateException(m.patch().name());
        }
        return zip;
    }

    /** Overwrites the start of an entry's name in its central header and (when {@code loc >= 0}) its local header. */
    private static void rename(byte[] zip, int cen, int loc, int nameLen, String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(p.length, nameLen);
        System.arraycopy(p, 0, zip, cen + 46, n);
        if (loc >= 0 && loc + 30 + n <= zip.length) System.arraycopy(p, 0, zip, loc + 30, n);
    }

    /** Where the central directory headers start (found by their signature). */
    private static List<Integer> centralHeaders(byte[] zip) {
        List<Integer> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 46 <= zip.length; i++) {
            if (b.getInt(i) == 0x02014b50 && i + 46 + (b.getShort(i + 28) & 0xFFFF) <= zip.length) out.add(i);
        }
        return out;
    }
}
