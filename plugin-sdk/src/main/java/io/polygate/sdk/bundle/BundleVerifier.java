package io.polygate.sdk.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.sdk.json.Json;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Checks that an extracted bundle's files are the ones its manifest was built with.
 *
 * <ul>
 *   <li><b>checksum</b>: when the manifest has a {@code checksum}, the hex MD5 of the
 *       {@code file_list} files concatenated in list order must equal it (letter case ignored);
 *       otherwise {@code CHECKSUM_MISMATCH}. A manifest without {@code checksum} passes this step
 *       (Tyk refuses it; Polygate relies on the signature for integrity when one is required).</li>
 *   <li><b>signature</b>, only when a public key is configured: {@code signature} must be present
 *       ({@code SIGNATURE_MISSING}) and be a base64 RSA PKCS#1 v1.5 SHA-256 signature of the same
 *       concatenated bytes ({@code SIGNATURE_INVALID}). This is what {@code tyk bundle build -k}
 *       writes, so Tyk-signed bundles verify.</li>
 *   <li><b>signature_strict</b>, only when a public key is configured: verified whenever present,
 *       and required when built with {@link #requireStrictSignature()}. It also covers the
 *       manifest; see {@code docs/bundles.md}.</li>
 * </ul>
 * Every file in {@code file_list} must be a regular file inside the bundle root (not a link):
 * otherwise {@code FILE_MISSING}, {@code LINK} or {@code MANIFEST_INVALID}.
 *
 * <p>Immutable and thread-safe; {@link #verify} blocks while it reads the files.
 */
public final class BundleVerifier {
    // duplicate keys are refused: parsers disagree on which one wins, and the signed tree must be the one loaded
    private static final ObjectMapper JSON = Json.NO_DUPLICATE_KEYS;

    private final RSAPublicKey publicKey;
    private final boolean requireStrict;

    private BundleVerifier(RSAPublicKey publicKey, boolean requireStrict) {
        this.publicKey = publicKey;
        this.requireStrict = requireStrict;
    }

    /** A verifier with no public key: checksums are checked, signatures are not. */
    public static BundleVerifier checksumOnly() {
        return new BundleVerifier(null, false);
    }

    /** A verifier that requires every bundle to carry a valid {@code signature} made with this key's private half. */
    public static BundleVerifier withPublicKey(RSAPublicKey publicKey) {
        return new BundleVerifier(Objects.requireNonNull(publicKey, "publicKey"), false);
    }

    /**
     * Same as {@link #withPublicKey(RSAPublicKey)} with the key read from PEM text
     * (see {@link PemKeys#readPublicKey(String, String)}).
     *
     * @param keyName how the key is named in errors, e.g. its config path
     * @throws BundleException {@code KEY_INVALID} when the PEM holds no RSA public key
     */
    public static BundleVerifier withPublicKeyPem(String keyName, String pem) throws BundleException {
        return withPublicKey(PemKeys.readPublicKey(keyName, pem));
    }

    /**
     * A copy that also requires {@code signature_strict}.
     *
     * @throws IllegalStateException when this verifier has no public key
     */
    public BundleVerifier requireStrictSignature() {
        if (publicKey == null) throw new IllegalStateException("a strict signature can only be required with a public key");
        return new BundleVerifier(publicKey, true);
    }

    /** Whether signatures are checked (a public key is configured). */
    public boolean checksSignatures() { return publicKey != null; }

    /**
     * What was verified.
     *
     * @param checksum          hex MD5 of the listed files, as computed (whether or not the manifest had one)
     * @param signatureVerified {@code signature} was checked and is valid
     * @param strictVerified    {@code signature_strict} was checked and is valid
     */
    public record Result(String checksum, boolean signatureVerified, boolean strictVerified) {}

    /**
     * Verifies an extracted bundle.
     *
     * @param bundleName how the bundle is named in errors
     * @param manifest   the parsed {@code manifest.json} (an object with {@code file_list} and
     *                   optionally {@code checksum}, {@code signature}, {@code signature_strict})
     * @param bundleRoot the folder holding the listed files
     * @throws BundleException {@code MANIFEST_INVALID}, {@code FILE_MISSING}, {@code LINK},
     *         {@code CHECKSUM_MISMATCH}, {@code SIGNATURE_MISSING}, {@code SIGNATURE_INVALID} or {@code IO}
     */
    public Result verify(String bundleName, JsonNode manifest, Path bundleRoot) throws BundleException {
        List<String> files = BundleContent.fileList(bundleName, manifest);
        ObjectNode object = (ObjectNode) manifest;
        String declared = optionalText(bundleName, object, BundleContent.CHECKSUM);
        String signature = publicKey == null ? null : optionalText(bundleName, object, BundleContent.SIGNATURE);
        String strict = publicKey == null ? null : optionalText(bundleName, object, BundleContent.SIGNATURE_STRICT);
        if (publicKey != null && signature == null)
            throw BundleException.signatureMissing(bundleName, BundleContent.SIGNATURE, "and a public key is configured");
        if (requireStrict && strict == null)
            throw BundleException.signatureMissing(bundleName, BundleContent.SIGNATURE_STRICT, "and strict signatures are required");

        Signature tyk = null;
        if (signature != null) {
            tyk = BundleContent.signature();
            try {
                tyk.initVerify(publicKey);
            } catch (InvalidKeyException e) {
                throw new IllegalStateException("RSA public key refused by the JDK", e);
            }
        }
        BundleContent.Hashes hashes = BundleContent.hash(bundleName, bundleRoot.toAbsolutePath(), files, tyk);

        if (declared != null && !declared.toLowerCase(Locale.ROOT).equals(hashes.md5Hex()))
            throw BundleException.checksumMismatch(bundleName, declared, hashes.md5Hex());
        if (tyk != null && !verified(bundleName, BundleContent.SIGNATURE, tyk, signature))
            throw BundleException.signatureInvalid(bundleName, BundleContent.SIGNATURE,
                    "does not match the files and the configured public key (a file was changed, or it was signed with another key)");
        boolean strictOk = false;
        if (strict != null) {
            Signature s = BundleContent.signature();
            try {
                s.initVerify(publicKey);
                s.update(BundleContent.strictStatement(object, hashes.fileSha256()));
            } catch (InvalidKeyException | SignatureException e) {
                throw new IllegalStateException("RSA public key refused by the JDK", e);
            }
            if (!verified(bundleName, BundleContent.SIGNATURE_STRICT, s, strict))
                throw BundleException.signatureInvalid(bundleName, BundleContent.SIGNATURE_STRICT,
                        "does not match the manifest, the files and the configured public key (the manifest or a file was changed, or it was signed with another key)");
            strictOk = true;
        }
        return new Result(hashes.md5Hex(), tyk != null, strictOk);
    }

    /**
     * Reads {@code manifest.json} from a bundle root.
     *
     * @throws BundleException {@code MANIFEST_INVALID} when it is missing, not UTF-8, not JSON, has a
     *         key twice in one object, or is not an object (the message carries the JSON parser's
     *         line and column); {@code LINK} when it is a symbolic link; {@code IO} when unreadable
     */
    public static ObjectNode readManifest(String bundleName, Path bundleRoot) throws BundleException {
        Path file = bundleRoot.resolve(BundleContent.MANIFEST);
        try {
            if (Files.isSymbolicLink(file)) throw BundleException.link(bundleName, BundleContent.MANIFEST, "symbolic link");
            String text = Files.readString(file);
            // a byte order mark from Windows editors is not part of the JSON
            if (text.startsWith("\uFEFF")) text = text.substring(1);
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject())
                throw BundleException.manifestInvalid(bundleName, BundleContent.MANIFEST, "manifest is not a JSON object");
            return (ObjectNode) node;
        } catch (NoSuchFileException e) {
            throw BundleException.manifestInvalid(bundleName, BundleContent.MANIFEST, "manifest.json is missing");
        } catch (JsonProcessingException e) {
            throw BundleException.manifestInvalid(bundleName, BundleContent.MANIFEST, "not valid JSON: "
                    + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (CharacterCodingException e) {
            throw BundleException.manifestInvalid(bundleName, BundleContent.MANIFEST, "manifest is not valid UTF-8");
        } catch (IOException e) {
            throw BundleException.io(bundleName, BundleContent.MANIFEST, "cannot read", e);
        }
    }

    private static String optionalText(String bundle, ObjectNode manifest, String field) throws BundleException {
        JsonNode v = manifest.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw BundleException.manifestInvalid(bundle, BundleContent.MANIFEST, field + " must be a string");
        // Tyk's manifest struct always writes "signature": "" for unsigned bundles
        return v.textValue().isEmpty() ? null : v.textValue();
    }

    private static boolean verified(String bundle, String field, Signature s, String base64) throws BundleException {
        byte[] sig;
        try {
            // strict alphabet (the MIME decoder would skip stray characters); line breaks are tolerated, as in Go
            sig = Base64.getDecoder().decode(base64.replaceAll("[\\r\\n ]", ""));
        } catch (IllegalArgumentException e) {
            throw BundleException.signatureInvalid(bundle, field, "is not valid base64");
        }
        try {
            return s.verify(sig);
        } catch (SignatureException e) {
            // a wrong length or a malformed signature is just a bad signature to the user
            return false;
        }
    }

}
