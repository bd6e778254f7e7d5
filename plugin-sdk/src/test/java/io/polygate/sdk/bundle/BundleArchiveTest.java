package io.polygate.sdk.bundle;

import static io.polygate.sdk.bundle.TestZips.zip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polygate.sdk.bundle.BundleException.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleArchiveTest {
    private static final String MANIFEST = "{\"file_list\":[\"middleware.py\"]}";
    private static final BundleLimits SMALL = new BundleLimits(64 * 1024, 20, 10_000, 20_000);

    @TempDir Path tmp;

    private Path dest() { return tmp.resolve("out").resolve("bundle"); }

    private BundleException refused(byte[] zipBytes) throws IOException {
        return refused(zipBytes, SMALL);
    }

    private BundleException refused(byte[] zipBytes, BundleLimits limits) throws IOException {
        Path file = tmp.resolve("evil.zip");
        Files.write(file, zipBytes);
        BundleException e = org.junit.jupiter.api.Assertions.assertThrows(BundleException.class,
                () -> BundleArchive.extract(file, dest(), limits));
        assertNothingLeftBehind();
        return e;
    }

    private void assertNothingLeftBehind() throws IOException {
        Path parent = dest().getParent();
        if (Files.exists(parent)) {
            try (Stream<Path> s = Files.list(parent)) {
                assertThat(s.toList()).as("no bundle folder and no temp folder left").isEmpty();
            }
        }
    }

    @Test
    void extractsFilesAtTheZipRoot() throws Exception {
        Path file = zip().file("middleware.py", "print(1)").file("lib/util.py", "x = 1").file("manifest.json", MANIFEST)
                .write(tmp.resolve("b.zip"));

        Path root = BundleArchive.extract(file, dest(), BundleLimits.defaults());

        assertThat(root).isEqualTo(dest().toAbsolutePath());
        assertThat(root.resolve("middleware.py")).hasContent("print(1)");
        assertThat(root.resolve("lib/util.py")).hasContent("x = 1");
        assertThat(root.resolve("manifest.json")).hasContent(MANIFEST);
        try (Stream<Path> s = Files.list(root.getParent())) {
            assertThat(s.toList()).containsExactly(root);
        }
    }

    @Test
    void extractsBundleFromOneTopLevelFolderAndSkipsMacOsJunk() throws Exception {
        Path file = zip().dir("my-bundle/").file("my-bundle/manifest.json", MANIFEST).file("my-bundle/middleware.py", "pass")
                .file("__MACOSX/my-bundle/._middleware.py", "junk").file("my-bundle/.DS_Store", "junk")
                .write(tmp.resolve("b.zip"));

        Path root = BundleArchive.extract(file, dest(), BundleLimits.defaults());

        assertThat(root.resolve("manifest.json")).hasContent(MANIFEST);
        assertThat(root.resolve("middleware.py")).hasContent("pass");
        try (Stream<Path> s = Files.list(root)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("manifest.json", "middleware.py");
        }
    }

    @Test
    void extractsStoredEntriesAndReplacesAnEmptyDestination() throws Exception {
        Files.createDirectories(dest());
        Path file = zip().stored("manifest.json", MANIFEST).stored("middleware.py", "pass").write(tmp.resolve("b.zip"));

        BundleArchive.extract(file, dest(), BundleLimits.defaults());

        assertThat(dest().resolve("middleware.py")).hasContent("pass");
    }

    @Test
    void refusesEntryWithParentSegment() throws Exception {
        BundleException e = refused(zip().file("manifest.json", MANIFEST).file("../evil.py", "boom").bytes());

        assertThat(e).hasMessage("bundle \"evil.zip\": file \"../evil.py\": entry escapes the bundle folder");
        assertThat(e.problem()).isEqualTo(Problem.UNSAFE_PATH);
        assertThat(e.file()).isEqualTo("../evil.py");
        assertThat(tmp.resolve("out/evil.py")).doesNotExist();
    }

    @Test
    void refusesParentSegmentHiddenInsideAPath() throws Exception {
        BundleException e = refused(zip().file("manifest.json", MANIFEST).file("lib/./../../evil.py", "boom").bytes());

        assertThat(e).hasMessage("bundle \"evil.zip\": file \"lib/./../../evil.py\": entry escapes the bundle folder");
    }

    @Test
    void refusesAbsolutePath() throws Exception {
        BundleException e = refused(zip().file("manifest.json", MANIFEST).file("/tmp/evil.py", "boom").bytes());

        assertThat(e).hasMessage("bundle \"evil.zip\": file \"/tmp/evil.py\": entry has an absolute path");
    }

    @Test
    void refusesDriveLetter() throws Exception {
        BundleException e = refused(zip().file("manifest.json", MANIFEST).file("C:/evil.py", "boom").bytes());

        assertThat(e).hasMessage("bundle \"evil.zip\": file \"C:/evil.py\": entry name contains ':' (a drive letter or stream name)");
    }

    @Test
    void refusesBackslashTraversal() throws Exception {
        BundleException e = refused(zip().file("manifest.json", MANIFEST).file("..\\..\\evil.py", "boom").bytes());

        assertThat(e).hasMessage("bundle \"evil.zip\": file \"..\\\\..\\\\evil.py\": entry name contains a backslash");
        assertThat(e.file()).isEqualTo("..\\..\\evil.py");
    }

    @Test
    void refusesSymbolicLinkEntry() throws Exception {
        byte[] bytes = zip().file("manifest.json", MANIFEST).stored("middleware.py", "/etc/passwd").bytes();
        TestZips.setUnixMode(bytes, "middleware.py", 0120777);

        BundleException e = refused(bytes);

        assertThat(e).hasMessage("bundle \"evil.zip\": file \"middleware.py\": entry is a symbolic link; bundles may only hold regular files and folders");
        assertThat(e.problem()).isEqualTo(Problem.LINK);
    }

    @Test
    void refusesSymbolicLinkInAZipMadeByInfoZip() throws Exception {
        byte[] bytes;
        try (var in = getClass().getResourceAsStream("/bundles/infozip-symlink/bundle.zip")) {
            bytes = in.readAllBytes();
        }

        BundleException e = refused(bytes);

        assertThat(e).hasMessage("bundle \"evil.zip\": file \"my-plugin/secrets.py\": entry is a symbolic link; bundles may only hold regular files and folders");
    }

    @Test
    void acceptsRegularFilesWithUnixModes() throws Exception {
        byte[] bytes = zip().file("manifest.json", MANIFEST).file("middleware.py", "pass").bytes();
        TestZips.setUnixMode(bytes, "middleware.py", 0100755);
        Path file = Files.write(tmp.resolve("b.zip"), bytes);

        BundleArchive.extract(file, dest(), BundleLimits.defaults());

        assertThat(dest().resolve("middleware.py")).hasContent("pass");
    }

    @Test
    void refusesZipBombOfZerosOverTheTotalLimit() throws Exception {
        // 3 files of 9 000 zeros each: every file is under maxFileBytes, together they pass maxTotalBytes
        byte[] zeros = new byte[9_000];
        byte[] bytes = zip().file("manifest.json", MANIFEST).file("a.bin", zeros).file("b.bin", zeros).file("c.bin", zeros).bytes();
        assertThat(bytes.length).as("highly compressible").isLessThan(1_000);

        BundleException e = refused(bytes);

        assertThat(e).hasMessage("bundle \"evil.zip\": file \"c.bin\": files inflate to more than 20000 bytes in total (maxTotalBytes)");
        assertThat(e.problem()).isEqualTo(Problem.TOO_LARGE);
    }

    @Test
    void refusesFileInflatingPastItsLimitEvenWhenHeadersClaimItIsSmall() throws Exception {
        byte[] bytes = zip().file("manifest.json", MANIFEST).file("bomb.bin", new byte[5_000_000]).bytes();
        TestZips.setDeclaredSize(bytes, "bomb.bin", 10);

        BundleException e = refused(bytes);

        assertThat(e).hasMessage("bundle \"evil.zip\": file \"bomb.bin\": file inflates to more than 10000 bytes (maxFileBytes)");
    }

    @Test
    void refusesEntryWhoseHeaderUnderstatesItsSize() throws Exception {
        byte[] bytes = zip().file("manifest.json", MANIFEST).file("middleware.py", "print('hello')").bytes();
        TestZips.setDeclaredSize(bytes, "middleware.py", 3);

        BundleException e = refused(bytes);

        assertThat(e).hasMessage("bundle \"evil.zip\": file \"middleware.py\": corrupt zip entry (header says 3 bytes, data holds 14)");
    }

    @Test
    void refusesZipLargerThanTheLimit() throws Exception {
        byte[] random = new byte[70_000];
        new java.util.Random(1).nextBytes(random);
        BundleException e = refused(zip().file("manifest.json", MANIFEST).stored("noise.bin", new String(random, java.nio.charset.StandardCharsets.ISO_8859_1)).bytes());

        assertThat(e.getMessage()).matches("bundle \"evil\\.zip\": zip is \\d+ bytes, over the limit of 65536 bytes \\(maxZipBytes\\)");
    }

    @Test
    void refusesTooManyEntries() throws Exception {
        TestZips z = zip().file("manifest.json", MANIFEST);
        for (int i = 0; i < 20; i++) z.file("f" + i + ".py", "");

        BundleException e = refused(z.bytes());

        assertThat(e).hasMessage("bundle \"evil.zip\": zip has 21 entries, over the limit of 20 (maxEntries)");
    }

    @Test
    void refusesDuplicateEntries() throws Exception {
        byte[] bytes = zip().file("manifest.json", MANIFEST).file("middleware.py", "good").file("middlewarX.py", "evil").bytes();
        TestZips.rename(bytes, "middlewarX.py", "middleware.py");

        BundleException e = refused(bytes);

        assertThat(e).hasMessage("bundle \"evil.zip\": file \"middleware.py\": entry appears more than once in the zip");
        assertThat(e.problem()).isEqualTo(Problem.DUPLICATE_ENTRY);
    }

    @Test
    void refusesEntriesDifferingOnlyInCase() throws Exception {
        BundleException e = refused(zip().file("manifest.json", MANIFEST).file("middleware.py", "a").file("Middleware.py", "b").bytes());

        assertThat(e).hasMessage("bundle \"evil.zip\": file \"Middleware.py\": entry clashes with entry \"middleware.py\" (same name ignoring letter case, or a file and a folder of the same name)");
    }

    @Test
    void refusesFileAndFolderOfTheSameName() throws Exception {
        BundleException e = refused(zip().file("manifest.json", MANIFEST).file("lib", "a").file("lib/x.py", "b").bytes());

        assertThat(e.problem()).isEqualTo(Problem.DUPLICATE_ENTRY);
        assertThat(e.file()).isEqualTo("lib/x.py");
    }

    @Test
    void refusesZipWithoutManifest() throws Exception {
        BundleException e = refused(zip().file("a/manifest.json", MANIFEST).file("b/middleware.py", "x").bytes());

        assertThat(e).hasMessage("bundle \"evil.zip\": file \"manifest.json\": no manifest.json at the zip root or inside a single top-level folder");
    }

    @Test
    void refusesFileThatIsNotAZip() throws Exception {
        BundleException e = refused("manifest.json is not here, this is text".getBytes());

        assertThat(e).hasMessage("bundle \"evil.zip\": not a valid zip file (no end of central directory record)");
        assertThat(e.problem()).isEqualTo(Problem.CORRUPT_ZIP);
    }

    @Test
    void refusesALocalHeaderWhoseNameRunsPastTheEndOfTheFile() throws Exception {
        // found by BundleArchivePropertyTest with -Pfuzz: this was an IndexOutOfBoundsException
        byte[] bytes = zip().file("manifest.json", MANIFEST).stored("middleware.py", "print('hello')").bytes();
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putShort(TestZips.localHeader(bytes, "middleware.py") + 26, (short) 0xFFFF);

        BundleException e = refused(bytes);

        assertThat(e).hasMessage("bundle \"evil.zip\": file \"middleware.py\": corrupt zip entry (local header names a different file)");
    }

    @Test
    void refusesCorruptedData() throws Exception {
        byte[] bytes = zip().file("manifest.json", MANIFEST).stored("middleware.py", "print('hello')").bytes();
        int data = TestZips.localHeader(bytes, "middleware.py") + 30 + "middleware.py".length();
        bytes[data] ^= 1;

        BundleException e = refused(bytes);

        assertThat(e).hasMessage("bundle \"evil.zip\": file \"middleware.py\": corrupt zip entry (CRC mismatch)");
    }

    @Test
    void refusesEntriesSharingOneCompressedStream() throws Exception {
        // the central directory points a second entry at the first one's data (a "non-recursive" zip bomb)
        byte[] bytes = zip().file("manifest.json", MANIFEST).file("a.bin", new byte[5_000]).file("b.bin", new byte[5_000]).bytes();
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putInt(TestZips.centralHeader(bytes, "b.bin") + 42, TestZips.localHeader(bytes, "a.bin"));

        BundleException e = refused(bytes);

        assertThat(e.getMessage()).endsWith(": corrupt zip entry (its data overlaps another entry or the central directory)");
    }

    @Test
    void refusesLocalHeaderThatPushesDataIntoTheNextEntry() throws Exception {
        byte[] bytes = zip().file("manifest.json", MANIFEST).stored("a.py", "aaaa").stored("b.py", "bbbb").bytes();
        // a local extra-field length the central directory does not know about
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).putShort(TestZips.localHeader(bytes, "a.py") + 28, (short) 20);

        BundleException e = refused(bytes);

        assertThat(e).hasMessage("bundle \"evil.zip\": file \"a.py\": corrupt zip entry (its data overlaps another entry or the central directory)");
    }

    @Test
    void refusesADestinationThatHoldsFiles() throws Exception {
        Files.createDirectories(dest());
        Files.writeString(dest().resolve("old.py"), "old");
        Path file = zip().file("manifest.json", MANIFEST).write(tmp.resolve("b.zip"));

        assertThatThrownBy(() -> BundleArchive.extract(file, dest(), BundleLimits.defaults()))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("destination exists and is not empty");
        assertThat(dest().resolve("old.py")).hasContent("old");
    }

    @Test
    void limitsRefuseNonsenseValues() {
        assertThatThrownBy(() -> new BundleLimits(1024, 10, 100, 50))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxTotalBytes: 50 must be at least maxFileBytes (100)");
        assertThatThrownBy(() -> new BundleLimits(1024, 70_000, 100, 500))
                .hasMessage("maxEntries: 70000 must be between 1 and 65535");
    }
}
