package io.polygate.sdk.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.sdk.json.Json;
import java.io.IOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.InvalidKeyException;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.RSAPrivateKey;
import java.time.LocalDateTime;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds a bundle zip from a folder, as {@code ./polygate bundle build <dir> -o x.zip [--key k.pem] [--strict]}.
 *
 * <p>The folder must hold {@code manifest.json}, a JSON object whose {@code file_list} names files
 * that exist in the folder (relative paths, {@code /} separated, no {@code ..}). The zip holds those
 * files at its root in list order, then the manifest with:
 * <ul>
 *   <li>{@code checksum}: hex MD5 of the listed files concatenated in list order (always);</li>
 *   <li>{@code signature}: with a key, base64 RSA PKCS#1 v1.5 over SHA-256 of the same bytes; this
 *       layout and both values are what Tyk's {@code tyk bundle build} produces, so Tyk gateways
 *       accept Polygate-built bundles and the other way round;</li>
 *   <li>{@code signature_strict}: with a key and {@link #strict(boolean) strict}, a signature that
 *       also covers the manifest (see {@code docs/bundles.md}).</li>
 * </ul>
 * A stale {@code signature} or {@code signature_strict} in the source manifest is dropped when the
 * build does not write a new one. Entries get a fixed timestamp, so the same input builds a
 * byte-identical zip. The zip is written to a temporary file and renamed, so a failed build never
 * leaves a partial zip at the output path.
 *
 * <p>Not thread-safe (a builder is configured then built once); {@link #build} blocks on file I/O.
 */
public final class BundleBuilder {
    private static final ObjectMapper JSON = Json.PRETTY;
    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(2000, 1, 1, 0, 0);

    private final Path sourceDir;
    private RSAPrivateKey signingKey;
    private boolean strict;

    private BundleBuilder(Path sourceDir) {
        this.sourceDir = sourceDir.toAbsolutePath().normalize();
    }

    /** A builder for the bundle whose {@code manifest.json} is in {@code sourceDir}. */
    public static BundleBuilder fromDirectory(Path sourceDir) {
        return new BundleBuilder(Objects.requireNonNull(sourceDir, "sourceDir"));
    }

    /** Signs the bundle with this key (writes {@code signature}); null builds an unsigned bundle. */
    public BundleBuilder signingKey(RSAPrivateKey key) {
        this.signingKey = key;
        return this;
    }

    /** Also writes {@code signature_strict}, which covers the manifest too; needs a signing key. */
    public BundleBuilder strict(boolean strict) {
        this.strict = strict;
        return this;
    }

    /**
     * What was built.
     *
     * @param zip       the zip written
     * @param checksum  the manifest's {@code checksum}
     * @param files     the files in the zip besides the manifest, in order
     * @param signed    {@code signature} was written
     * @param strict    {@code signature_strict} was written
     */
    public record Result(Path zip, String checksum, List<String> files, boolean signed, boolean strict) {}

    /**
     * Builds the zip.
     *
     * @param outputZip where to write it (replaced if it exists; its folder is created if missing)
     * @throws BundleException {@code MANIFEST_INVALID} (missing or invalid manifest, malformed or
     *         duplicate {@code file_list}, {@code manifest.json} listed in it), {@code FILE_MISSING},
     *         {@code LINK} (a listed file is a link, or reached through one) or {@code IO}
     * @throws IllegalStateException when {@link #strict(boolean) strict} is set without a signing key
     */
    public Result build(Path outputZip) throws BundleException {
        if (strict && signingKey == null) throw new IllegalStateException("a strict signature needs a signing key");
        String bundle = String.valueOf(sourceDir.getFileName());
        ObjectNode manifest = BundleVerifier.readManifest(bundle, sourceDir);
        List<String> files = BundleContent.fileList(bundle, manifest);
        Set<String> seen = new HashSet<>();
        for (String f : files) {
            String normal = sourceDir.relativize(sourceDir.resolve(f).normalize()).toString().toLowerCase(Locale.ROOT);
            if (normal.equals(BundleContent.MANIFEST))
                throw BundleException.manifestInvalid(bundle, f, "file_list must not list manifest.json (the build writes it)");
            if (!seen.add(normal)) throw BundleException.manifestInvalid(bundle, f, "listed more than once in file_list");
        }

        Signature tyk = null;
        if (signingKey != null) {
            tyk = BundleContent.signature();
            try {
                tyk.initSign(signingKey);
            } catch (InvalidKeyException e) {
                throw BundleException.keyInvalid("signing key", "refused by the JDK: " + e.getMessage(), e);
            }
        }
        BundleContent.Hashes hashes = BundleContent.hash(bundle, sourceDir, files, tyk);
        manifest.put(BundleContent.CHECKSUM, hashes.md5Hex());
        manifest.remove(BundleContent.SIGNATURE);
        manifest.remove(BundleContent.SIGNATURE_STRICT);
        try {
            if (tyk != null) manifest.put(BundleContent.SIGNATURE, Base64.getEncoder().encodeToString(tyk.sign()));
            if (strict) {
                Signature s = BundleContent.signature();
                s.initSign(signingKey);
                s.update(BundleContent.strictStatement(manifest, hashes.fileSha256()));
                manifest.put(BundleContent.SIGNATURE_STRICT, Base64.getEncoder().encodeToString(s.sign()));
            }
        } catch (InvalidKeyException | SignatureException e) {
            throw BundleException.keyInvalid("signing key", "cannot sign: " + e.getMessage(), e);
        }

        writeZip(bundle, outputZip.toAbsolutePath().normalize(), manifest, files, hashes.md5Hex());
        return new Result(outputZip, hashes.md5Hex(), List.copyOf(files), tyk != null, strict);
    }

    private void writeZip(String bundle, Path out, ObjectNode manifest, List<String> files, String checksum) throws BundleException {
        Path temp = null;
        try {
            Files.createDirectories(out.getParent());
            temp = Files.createTempFile(out.getParent(), "." + out.getFileName(), ".tmp");
            MessageDigest md5 = BundleContent.digest("MD5");
            try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(temp))) {
                for (String f : files) {
                    zip.putNextEntry(entry(f));
                    Files.copy(BundleContent.resolve(bundle, sourceDir, f), new DigestOutputStream(zip, md5));
                    zip.closeEntry();
                }
                zip.putNextEntry(entry(BundleContent.MANIFEST));
                zip.write(manifestBytes(manifest));
                zip.closeEntry();
            }
            // the files were read twice (hash, then copy): a file edited in between would ship unsigned bytes
            if (!HexFormat.of().formatHex(md5.digest()).equals(checksum))
                throw BundleException.changedDuringBuild(bundle);
            try {
                Files.move(temp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, out, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw BundleException.io(bundle, null, "cannot write " + out, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // best effort: only left behind if the build already failed
                }
            }
        }
    }

    private static ZipEntry entry(String name) {
        ZipEntry e = new ZipEntry(name);
        e.setTimeLocal(ENTRY_TIME);
        return e;
    }

    private static byte[] manifestBytes(ObjectNode manifest) {
        try {
            return JSON.writeValueAsBytes(manifest);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

}
