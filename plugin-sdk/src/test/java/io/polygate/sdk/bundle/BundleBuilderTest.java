package io.polygate.sdk.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.sdk.bundle.BundleException.Problem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleBuilderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PY = "@Hook\ndef MyAuthCheck(request, session, metadata, spec):\n    return request, session, metadata\n";
    private static final String JS = "var x = 1;\n";
    private static final String MANIFEST = """
            {
              "file_list": ["middleware.py", "lib/util.js"],
              "custom_middleware": {
                "driver": "python",
                "auth_check": {"name": "MyAuthCheck"}
              },
              "signature": "stale"
            }
            """;

    @TempDir Path tmp;
    Path src;

    @BeforeEach
    void writeSource() throws Exception {
        src = Files.createDirectories(tmp.resolve("my-plugin"));
        Files.writeString(src.resolve("middleware.py"), PY);
        Files.createDirectories(src.resolve("lib"));
        Files.writeString(src.resolve("lib/util.js"), JS);
        Files.writeString(src.resolve("manifest.json"), MANIFEST);
        Files.writeString(src.resolve("notes.txt"), "not listed, not shipped");
    }

    private static ObjectNode manifestIn(Path zip) throws Exception {
        try (ZipFile z = new ZipFile(zip.toFile())) {
            return (ObjectNode) JSON.readTree(z.getInputStream(z.getEntry("manifest.json")));
        }
    }

    @Test
    void writesListedFilesThenManifestWithTykChecksum() throws Exception {
        Path out = tmp.resolve("dist/bundle.zip");

        BundleBuilder.Result r = BundleBuilder.fromDirectory(src).build(out);

        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest((PY + JS).getBytes(StandardCharsets.UTF_8)));
        assertThat(r.checksum()).isEqualTo(expected);
        try (ZipFile z = new ZipFile(out.toFile())) {
            List<String> names = new ArrayList<>();
            for (ZipEntry e : Collections.list(z.entries())) names.add(e.getName());
            assertThat(names).containsExactly("middleware.py", "lib/util.js", "manifest.json");
        }
        ObjectNode m = manifestIn(out);
        assertThat(m.get("checksum").asText()).isEqualTo(expected);
        assertThat(m.has("signature")).as("stale signature dropped").isFalse();
        assertThat(m.at("/custom_middleware/auth_check/name").asText()).isEqualTo("MyAuthCheck");
        try (var s = Files.list(out.getParent())) {
            assertThat(s.toList()).as("no temp file left").containsExactly(out);
        }
    }

    @Test
    void signatureIsRsaSha256OverConcatenatedFilesAsTykWritesIt() throws Exception {
        Path out = tmp.resolve("bundle.zip");

        BundleBuilder.fromDirectory(src).signingKey(TestKeys.privateKey()).build(out);

        Signature s = Signature.getInstance("SHA256withRSA");
        s.initVerify(TestKeys.publicKey());
        s.update((PY + JS).getBytes(StandardCharsets.UTF_8));
        assertThat(s.verify(Base64.getDecoder().decode(manifestIn(out).get("signature").asText()))).isTrue();
        assertThat(manifestIn(out).has("signature_strict")).isFalse();
    }

    @Test
    void builtBundleExtractsAndVerifiesWithStrictSignature() throws Exception {
        Path out = tmp.resolve("bundle.zip");
        BundleBuilder.fromDirectory(src).signingKey(TestKeys.privateKey()).strict(true).build(out);

        Path root = BundleArchive.extract(out, tmp.resolve("live/v1"), BundleLimits.defaults());
        BundleVerifier.Result r = BundleVerifier.withPublicKey(TestKeys.publicKey()).requireStrictSignature()
                .verify("bundle.zip", BundleVerifier.readManifest("bundle.zip", root), root);

        assertThat(r.signatureVerified()).isTrue();
        assertThat(r.strictVerified()).isTrue();
    }

    @Test
    void strictSignatureCatchesAManifestChangeThatTheTykSignatureMisses() throws Exception {
        Path out = tmp.resolve("bundle.zip");
        BundleBuilder.fromDirectory(src).signingKey(TestKeys.privateKey()).strict(true).build(out);
        Path root = BundleArchive.extract(out, tmp.resolve("live/v1"), BundleLimits.defaults());
        ObjectNode m = BundleVerifier.readManifest("bundle.zip", root);
        ((ObjectNode) m.get("custom_middleware")).putObject("auth_check").put("name", "SomeOtherFunction");

        BundleVerifier tykOnly = BundleVerifier.withPublicKey(TestKeys.publicKey());
        ObjectNode withoutStrict = m.deepCopy();
        withoutStrict.remove("signature_strict");
        assertThat(tykOnly.verify("bundle.zip", withoutStrict, root).signatureVerified())
                .as("Tyk's signature covers only the files").isTrue();
        BundleException e = assertThrows(BundleException.class, () -> tykOnly.verify("bundle.zip", m, root));
        assertThat(e).hasMessage("bundle \"bundle.zip\": file \"manifest.json\": signature_strict does not match the manifest, the files"
                + " and the configured public key (the manifest or a file was changed, or it was signed with another key)");
    }

    @Test
    void strictSignatureCatchesBytesMovedBetweenFiles() throws Exception {
        Path out = tmp.resolve("bundle.zip");
        BundleBuilder.fromDirectory(src).signingKey(TestKeys.privateKey()).strict(true).build(out);
        Path root = BundleArchive.extract(out, tmp.resolve("live/v1"), BundleLimits.defaults());
        // the concatenation (hence checksum and Tyk signature) is unchanged; the files are not
        Files.writeString(root.resolve("middleware.py"), PY.substring(0, PY.length() - 1));
        Files.writeString(root.resolve("lib/util.js"), "\n" + JS);
        ObjectNode m = BundleVerifier.readManifest("bundle.zip", root);

        BundleException e = assertThrows(BundleException.class,
                () -> BundleVerifier.withPublicKey(TestKeys.publicKey()).verify("bundle.zip", m, root));

        assertThat(e.problem()).isEqualTo(Problem.SIGNATURE_INVALID);
        assertThat(e.getMessage()).contains("signature_strict does not match");
    }

    @Test
    void sameInputBuildsIdenticalZip() throws Exception {
        BundleBuilder.fromDirectory(src).signingKey(TestKeys.privateKey()).build(tmp.resolve("a.zip"));
        BundleBuilder.fromDirectory(src).signingKey(TestKeys.privateKey()).build(tmp.resolve("b.zip"));

        assertThat(Files.readAllBytes(tmp.resolve("a.zip"))).isEqualTo(Files.readAllBytes(tmp.resolve("b.zip")));
    }

    @Test
    void refusesListedFileThatDoesNotExist() throws Exception {
        Files.delete(src.resolve("lib/util.js"));

        BundleException e = assertThrows(BundleException.class, () -> BundleBuilder.fromDirectory(src).build(tmp.resolve("x.zip")));

        assertThat(e).hasMessage("bundle \"my-plugin\": file \"lib/util.js\": listed in file_list but not in the bundle");
        assertThat(tmp.resolve("x.zip")).doesNotExist();
    }

    @Test
    void refusesManifestThatIsNotJson() throws Exception {
        Files.writeString(src.resolve("manifest.json"), "{ \"file_list\": [\"middleware.py\"] ");

        BundleException e = assertThrows(BundleException.class, () -> BundleBuilder.fromDirectory(src).build(tmp.resolve("x.zip")));

        assertThat(e.problem()).isEqualTo(Problem.MANIFEST_INVALID);
        assertThat(e.getMessage()).startsWith("bundle \"my-plugin\": file \"manifest.json\": not valid JSON: ");
    }

    @Test
    void refusesMissingManifest() throws Exception {
        Files.delete(src.resolve("manifest.json"));

        BundleException e = assertThrows(BundleException.class, () -> BundleBuilder.fromDirectory(src).build(tmp.resolve("x.zip")));

        assertThat(e).hasMessage("bundle \"my-plugin\": file \"manifest.json\": manifest.json is missing");
    }

    @Test
    void refusesFileListedTwice() throws Exception {
        Files.writeString(src.resolve("manifest.json"), "{\"file_list\": [\"middleware.py\", \"./middleware.py\"]}");

        BundleException e = assertThrows(BundleException.class, () -> BundleBuilder.fromDirectory(src).build(tmp.resolve("x.zip")));

        assertThat(e).hasMessage("bundle \"my-plugin\": file \"./middleware.py\": listed more than once in file_list");
    }

    @Test
    void refusesManifestInItsOwnFileList() throws Exception {
        Files.writeString(src.resolve("manifest.json"), "{\"file_list\": [\"manifest.json\"]}");

        BundleException e = assertThrows(BundleException.class, () -> BundleBuilder.fromDirectory(src).build(tmp.resolve("x.zip")));

        assertThat(e).hasMessage("bundle \"my-plugin\": file \"manifest.json\": file_list must not list manifest.json (the build writes it)");
    }
}
