package io.polygate.sdk.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.sdk.bundle.BundleException.Problem;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleVerifierTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PY = "from tyk.decorators import *\n\n@Hook\ndef MyPreHook(request, session, spec):\n    return request, session\n";
    private static final String HELPER = "def helper():\n    return 42\n";

    @TempDir Path tmp;
    Path root;

    @BeforeEach
    void writeFiles() throws Exception {
        root = Files.createDirectories(tmp.resolve("bundle"));
        Files.writeString(root.resolve("middleware.py"), PY);
        Files.createDirectories(root.resolve("lib"));
        Files.writeString(root.resolve("lib/helper.py"), HELPER);
    }

    /** Tyk's checksum, computed here independently: hex MD5 of the listed files' bytes concatenated in order. */
    private static String tykChecksum() throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest((PY + HELPER).getBytes(StandardCharsets.UTF_8)));
    }

    private ObjectNode manifest(String checksum, String signature) {
        ObjectNode m = JSON.createObjectNode();
        m.putArray("file_list").add("middleware.py").add("lib/helper.py");
        ObjectNode mw = m.putObject("custom_middleware");
        mw.put("driver", "python");
        mw.putArray("pre").addObject().put("name", "MyPreHook");
        // Tyk's manifest struct always writes both fields, empty when unset
        m.put("checksum", checksum);
        m.put("signature", signature);
        return m;
    }

    /** Signs the concatenated files the way `tyk bundle build -k` does, with openssl when it is installed. */
    private String tykSignature() throws Exception {
        Path data = tmp.resolve("concatenated.bin");
        Files.writeString(data, PY + HELPER);
        if (onPath("openssl")) {
            Path key = TestKeys.write(tmp.resolve("private.pem"), TestKeys.pkcs1Pem(TestKeys.KEYS));
            Path sig = tmp.resolve("sig.bin");
            Process p = new ProcessBuilder("openssl", "dgst", "-sha256", "-sign", key.toString(), "-out", sig.toString(), data.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("openssl: " + out).isZero();
            return Base64.getEncoder().encodeToString(Files.readAllBytes(sig));
        }
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(TestKeys.privateKey());
        s.update(Files.readAllBytes(data));
        return Base64.getEncoder().encodeToString(s.sign());
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) return true;
        }
        return false;
    }

    private BundleVerifier withKey() {
        return BundleVerifier.withPublicKey(TestKeys.publicKey());
    }

    @Test
    void acceptsMatchingChecksum() throws Exception {
        BundleVerifier.Result r = BundleVerifier.checksumOnly().verify("auth", manifest(tykChecksum(), ""), root);

        assertThat(r.checksum()).isEqualTo(tykChecksum());
        assertThat(r.signatureVerified()).isFalse();
    }

    @Test
    void refusesChecksumMismatchAfterAFileChanged() throws Exception {
        String checksum = tykChecksum();
        Files.writeString(root.resolve("lib/helper.py"), HELPER.replace("42", "43"));

        BundleException e = assertThrows(BundleException.class,
                () -> BundleVerifier.checksumOnly().verify("auth", manifest(checksum, ""), root));

        assertThat(e.problem()).isEqualTo(Problem.CHECKSUM_MISMATCH);
        assertThat(e).hasMessageStartingWith("bundle \"auth\": checksum mismatch: manifest says " + checksum + ", files hash to ");
    }

    @Test
    void acceptsBundleSignedTheWayTykSignsIt() throws Exception {
        ObjectNode m = manifest(tykChecksum(), tykSignature());

        BundleVerifier.Result r = withKey().verify("auth", m, root);

        assertThat(r.signatureVerified()).isTrue();
    }

    @Test
    void refusesTykSignedBundleWhoseFileWasTamperedWithEvenWhenTheChecksumIsUpdated() throws Exception {
        String signature = tykSignature();
        Files.writeString(root.resolve("middleware.py"), PY.replace("return request", "return evil(request)"));
        String forgedChecksum = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(
                concat(root.resolve("middleware.py"), root.resolve("lib/helper.py"))));

        BundleException e = assertThrows(BundleException.class, () -> withKey().verify("auth", manifest(forgedChecksum, signature), root));

        assertThat(e).hasMessage("bundle \"auth\": file \"manifest.json\": signature does not match the files and the configured public key"
                + " (a file was changed, or it was signed with another key)");
        assertThat(e.problem()).isEqualTo(Problem.SIGNATURE_INVALID);
    }

    @Test
    void refusesUnsignedBundleWhenAKeyIsConfigured() throws Exception {
        BundleException e = assertThrows(BundleException.class, () -> withKey().verify("auth", manifest(tykChecksum(), ""), root));

        assertThat(e).hasMessage("bundle \"auth\": file \"manifest.json\": bundle is not signed (no signature), and a public key is configured");
        assertThat(e.problem()).isEqualTo(Problem.SIGNATURE_MISSING);
    }

    @Test
    void refusesBundleSignedWithAnotherKey() throws Exception {
        BundleVerifier other = BundleVerifier.withPublicKeyPem("other.pem", TestKeys.spkiPem(TestKeys.OTHER_KEYS));

        BundleException e = assertThrows(BundleException.class, () -> other.verify("auth", manifest(tykChecksum(), tykSignature()), root));

        assertThat(e.problem()).isEqualTo(Problem.SIGNATURE_INVALID);
    }

    @Test
    void refusesSignatureThatIsNotBase64() throws Exception {
        String validAfterDroppingStrayCharacters = "!" + tykSignature();
        BundleException e = assertThrows(BundleException.class,
                () -> withKey().verify("auth", manifest(tykChecksum(), validAfterDroppingStrayCharacters), root));

        assertThat(e).hasMessage("bundle \"auth\": file \"manifest.json\": signature is not valid base64");
    }

    @Test
    void acceptsSignatureWrappedOverSeveralLines() throws Exception {
        String wrapped = tykSignature().replaceAll("(.{64})", "$1\n");

        assertThat(withKey().verify("auth", manifest(tykChecksum(), wrapped), root).signatureVerified()).isTrue();
    }

    @Test
    void ignoresSignatureWhenNoKeyIsConfigured() throws Exception {
        BundleVerifier.Result r = BundleVerifier.checksumOnly().verify("auth", manifest(tykChecksum(), "bm90IGEgc2lnbmF0dXJl"), root);

        assertThat(r.signatureVerified()).isFalse();
    }

    @Test
    void refusesListedFileMissingFromTheBundle() throws Exception {
        Files.delete(root.resolve("lib/helper.py"));

        BundleException e = assertThrows(BundleException.class,
                () -> BundleVerifier.checksumOnly().verify("auth", manifest(tykChecksum(), ""), root));

        assertThat(e).hasMessage("bundle \"auth\": file \"lib/helper.py\": listed in file_list but not in the bundle");
        assertThat(e.problem()).isEqualTo(Problem.FILE_MISSING);
    }

    @Test
    void refusesFileListEntryEscapingTheBundle() throws Exception {
        ObjectNode m = manifest(tykChecksum(), "");
        m.putArray("file_list").add("../secret.py");

        BundleException e = assertThrows(BundleException.class, () -> BundleVerifier.checksumOnly().verify("auth", m, root));

        assertThat(e).hasMessage("bundle \"auth\": file \"../secret.py\": file_list[0] escapes the bundle folder");
    }

    @Test
    void refusesListedFileThatIsASymbolicLink() throws Exception {
        Path outside = Files.writeString(tmp.resolve("outside.py"), HELPER);
        Files.delete(root.resolve("lib/helper.py"));
        Files.createSymbolicLink(root.resolve("lib/helper.py"), outside);

        BundleException e = assertThrows(BundleException.class,
                () -> BundleVerifier.checksumOnly().verify("auth", manifest(tykChecksum(), ""), root));

        assertThat(e).hasMessage("bundle \"auth\": file \"lib/helper.py\": entry is a symbolic link; bundles may only hold regular files and folders");
    }

    @Test
    void refusesManifestWithoutFileList() throws Exception {
        ObjectNode m = manifest(tykChecksum(), "");
        m.remove("file_list");

        BundleException e = assertThrows(BundleException.class, () -> BundleVerifier.checksumOnly().verify("auth", m, root));

        assertThat(e).hasMessage("bundle \"auth\": file \"manifest.json\": file_list is missing (e.g. \"file_list\": [\"middleware.py\"])");
    }

    @Test
    void readManifestReportsWhereTheJsonIsBroken() throws Exception {
        Files.writeString(root.resolve("manifest.json"), "{\n  \"file_list\": [\"middleware.py\",]\n}");

        BundleException e = assertThrows(BundleException.class, () -> BundleVerifier.readManifest("auth", root));

        assertThat(e.problem()).isEqualTo(Problem.MANIFEST_INVALID);
        assertThat(e.getMessage()).startsWith("bundle \"auth\": file \"manifest.json\": not valid JSON: ").contains("at line 2, column");
    }

    @Test
    void readManifestRefusesAKeyGivenTwice() throws Exception {
        Files.writeString(root.resolve("manifest.json"),
                "{\"file_list\": [\"middleware.py\"], \"custom_middleware\": {}, \"custom_middleware\": {\"driver\": \"python\"}}");

        BundleException e = assertThrows(BundleException.class, () -> BundleVerifier.readManifest("auth", root));

        assertThat(e.getMessage()).startsWith("bundle \"auth\": file \"manifest.json\": not valid JSON: Duplicate field 'custom_middleware'");
    }

    @Test
    void readManifestAcceptsAByteOrderMark() throws Exception {
        Files.writeString(root.resolve("manifest.json"), "\uFEFF{\"file_list\": [\"middleware.py\"]}");

        assertThat(BundleVerifier.readManifest("auth", root).get("file_list").get(0).asText()).isEqualTo("middleware.py");
    }

    @Test
    void strictSignatureIsRequiredWhenConfigured() throws Exception {
        BundleException e = assertThrows(BundleException.class,
                () -> withKey().requireStrictSignature().verify("auth", manifest(tykChecksum(), tykSignature()), root));

        assertThat(e).hasMessage("bundle \"auth\": file \"manifest.json\": bundle is not signed (no signature_strict), and strict signatures are required");
    }

    private static byte[] concat(Path... files) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Path f : files) out.writeBytes(Files.readAllBytes(f));
        return out.toByteArray();
    }

}
