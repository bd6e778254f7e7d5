package io.polygate.sdk.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.polygate.sdk.bundle.BundleException.Problem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A zip laid out and signed the way Tyk's {@code tyk bundle build -k} makes it (files at the root,
 * then a compact manifest with every field of Tyk's BundleManifest struct) goes through
 * extraction and verification.
 */
class TykCompatibilityTest {
    private static final String PY = "from tyk.decorators import *\nfrom gateway import TykGateway as tyk\n\n"
            + "@Hook\ndef MyAuthMiddleware(request, session, metadata, spec):\n    return request, session, metadata\n";
    private static final String HELPER = "RATE = 10\n";

    @TempDir Path tmp;

    private String tykManifest(String checksum, String signature) {
        return "{\"file_list\":[\"middleware.py\",\"helpers.py\"],\"custom_middleware\":{\"pre\":null,\"post\":null,"
                + "\"post_key_auth\":null,\"auth_check\":{\"disabled\":false,\"name\":\"MyAuthMiddleware\",\"path\":\"\","
                + "\"require_session\":false,\"raw_body_only\":false},\"response\":null,\"driver\":\"python\","
                + "\"id_extractor\":{\"disabled\":false,\"extract_from\":\"header\",\"extract_with\":\"value\","
                + "\"extractor_config\":{\"header_name\":\"Authorization\"}}},\"checksum\":\"" + checksum
                + "\",\"signature\":\"" + signature + "\"}";
    }

    /** Signs like goverify: RSA PKCS#1 v1.5 over SHA-256; with openssl when installed, so the test does not grade itself. */
    private String sign(byte[] data) throws Exception {
        Path in = Files.write(tmp.resolve("all.bin"), data);
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "openssl"))) {
                Path key = TestKeys.write(tmp.resolve("private.pem"), TestKeys.pkcs1Pem(TestKeys.KEYS));
                Path sig = tmp.resolve("sig.bin");
                Process p = new ProcessBuilder("openssl", "dgst", "-sha256", "-sign", key.toString(), "-out", sig.toString(), in.toString())
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as("openssl: " + out).isZero();
                return Base64.getEncoder().encodeToString(Files.readAllBytes(sig));
            }
        }
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(TestKeys.privateKey());
        s.update(data);
        return Base64.getEncoder().encodeToString(s.sign());
    }

    private Path tykZip(String name, String py, String manifest) throws Exception {
        return TestZips.zip().file("middleware.py", py).file("helpers.py", HELPER).file("manifest.json", manifest).write(tmp.resolve(name));
    }

    @Test
    void tykSignedZipExtractsAndVerifies() throws Exception {
        byte[] all = (PY + HELPER).getBytes(StandardCharsets.UTF_8);
        String checksum = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(all));
        Path zip = tykZip("tyk.zip", PY, tykManifest(checksum, sign(all)));

        Path root = BundleArchive.extract(zip, tmp.resolve("bundles/auth"), BundleLimits.defaults());
        BundleVerifier.Result r = BundleVerifier.withPublicKeyPem("public.pem", TestKeys.spkiPem(TestKeys.KEYS))
                .verify("auth", BundleVerifier.readManifest("auth", root), root);

        assertThat(r.checksum()).isEqualTo(checksum);
        assertThat(r.signatureVerified()).isTrue();
    }

    @Test
    void tykSignedZipWithAChangedFileIsRefused() throws Exception {
        byte[] all = (PY + HELPER).getBytes(StandardCharsets.UTF_8);
        String checksum = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(all));
        Path zip = tykZip("tyk.zip", PY.replace("return request", "return evil(request)"), tykManifest(checksum, sign(all)));

        Path root = BundleArchive.extract(zip, tmp.resolve("bundles/auth"), BundleLimits.defaults());
        BundleException e = assertThrows(BundleException.class, () -> BundleVerifier.withPublicKey(TestKeys.publicKey())
                .verify("auth", BundleVerifier.readManifest("auth", root), root));

        assertThat(e.problem()).isEqualTo(Problem.CHECKSUM_MISMATCH);
        assertThat(e.getMessage()).startsWith("bundle \"auth\": checksum mismatch: manifest says " + checksum);
    }

    @Test
    void unsignedTykZipIsRefusedWhenAKeyIsConfiguredAndAcceptedOtherwise() throws Exception {
        byte[] all = (PY + HELPER).getBytes(StandardCharsets.UTF_8);
        String checksum = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(all));
        Path root = BundleArchive.extract(tykZip("tyk.zip", PY, tykManifest(checksum, "")), tmp.resolve("bundles/auth"), BundleLimits.defaults());

        assertThat(BundleVerifier.checksumOnly().verify("auth", BundleVerifier.readManifest("auth", root), root).checksum()).isEqualTo(checksum);
        BundleException e = assertThrows(BundleException.class, () -> BundleVerifier.withPublicKey(TestKeys.publicKey())
                .verify("auth", BundleVerifier.readManifest("auth", root), root));
        assertThat(e.problem()).isEqualTo(Problem.SIGNATURE_MISSING);
    }
}
