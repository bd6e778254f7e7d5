package io.polygate.bundle;

import io.polygate.bundle.BundleStore.Refused;
import io.polygate.bundle.BundleStore.Refused.Reason;
import io.polygate.config.GatewayConfig.BundlesConfig;
import io.polygate.plugin.BundleLoader;
import io.polygate.plugin.BundleLoader.BundleLoadException;
import io.polygate.plugin.LoadedBundle;
import io.polygate.sdk.bundle.BundleArchive;
import io.polygate.sdk.bundle.BundleException;
import io.polygate.sdk.bundle.BundleLimits;
import io.polygate.sdk.bundle.BundleVerifier;
import io.polygate.sdk.bundle.PemKeys;
import io.polygate.sdk.manifest.BundleManifest;
import io.polygate.sdk.manifest.ManifestException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a zip or a folder into a loaded {@link BundleVersion}: extracted safely
 * ({@link BundleArchive}, into a folder of its own), verified ({@link BundleVerifier}: checksum;
 * signature when a public key is configured), its manifest validated, its version computed from
 * its content, its code loaded and its contexts warmed. Any failed step is a {@link Refused}.
 *
 * <p>Threading: thread-safe; versions of different bundles are prepared in parallel.
 */
final class BundlePreparer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BundlePreparer.class);
    static final String MANIFEST = "manifest.json";

    private final BundleLoader loader;
    private final BundleLimits limits;
    private final BundleVerifier verifier;
    /** Extracted versions, one folder each, deleted when the version closes. */
    private final Path workDir;

    /** @throws IllegalArgumentException when the configured public key cannot be read */
    BundlePreparer(BundleLoader loader, BundlesConfig config) {
        this.loader = loader;
        this.limits = limits(config);
        this.verifier = verifier(config);
        try {
            this.workDir = Files.createTempDirectory("polygate-bundles-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a folder for extracted bundles: " + e.getMessage(), e);
        }
    }

    static BundleLimits limits(BundlesConfig config) {
        return new BundleLimits(config.maxZipBytes(), config.maxEntries(), config.maxFileBytes(), config.maxTotalBytes());
    }

    /** @throws IllegalArgumentException when the configured public key cannot be read */
    static BundleVerifier verifier(BundlesConfig config) {
        if (config.publicKey() == null) return BundleVerifier.checksumOnly();
        try {
            BundleVerifier v = BundleVerifier.withPublicKey(PemKeys.readPublicKey(config.publicKey()));
            return config.requireStrictSignature() ? v.requireStrictSignature() : v;
        } catch (BundleException e) {
            throw new IllegalArgumentException("bundles.public_key: " + e.getMessage(), e);
        }
    }

    boolean checksSignatures() { return verifier.checksSignatures(); }

    long maxZipBytes() { return limits.maxZipBytes(); }

    /** Extracts, verifies and loads a zip; null when that version is already serving ({@code currentVersion}). */
    BundleVersion fromZip(String name, byte[] zip, String source, String currentVersion) throws Refused {
        Path tmp = null;
        Path dest = workDir.resolve(name + "-" + UUID.randomUUID().toString().substring(0, 8));
        try {
            tmp = Files.createTempFile(workDir, name + "-", ".zip");
            Files.write(tmp, zip);
            BundleArchive.extract(name, tmp, dest, limits);
            BundleVersion v = prepare(name, dest, dest, source, currentVersion);
            if (v == null) deleteTree(dest);
            return v;
        } catch (BundleException e) {
            deleteTree(dest);
            throw refused(e);
        } catch (IOException e) {
            deleteTree(dest);
            throw new Refused(Reason.UNPACK_FAILED, "bundle \"" + name + "\": cannot be unpacked: " + e.getMessage());
        } catch (Refused | RuntimeException e) {
            deleteTree(dest);
            throw e;
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temp file left in our own temp folder; removed with it at close
                }
            }
        }
    }

    /** Verifies and loads a bundle folder in place; null when that version is already serving. */
    BundleVersion fromFolder(String name, Path root, String source, String currentVersion) throws Refused {
        return prepare(name, root, null, source, currentVersion);
    }

    /** Verifies and loads again a version whose extracted files were kept ({@link BundleVersion#keepFiles}); they are its own again. */
    BundleVersion fromKeptFiles(String name, Path files, String source) throws Refused {
        return prepare(name, files, files, source, null);
    }

    /** {@code owned}: a folder to delete when the version is closed. */
    private BundleVersion prepare(String name, Path root, Path owned, String source, String currentVersion) throws Refused {
        try {
            BundleManifest manifest = verified(verifier, name, root);
            String version = contentVersion(root, manifest);
            if (version.equals(currentVersion)) return null;
            LoadedBundle loaded = loader.load(name, version, root, manifest);
            return new BundleVersion(loaded, Instant.now(), source, owned);
        } catch (BundleLoadException e) {
            throw new Refused(Reason.INVALID, e.getMessage());
        } catch (IOException e) {
            throw new Refused(Reason.INVALID, "bundle \"" + name + "\": cannot be read: " + e.getMessage());
        }
    }

    /**
     * The manifest of an unpacked bundle once everything but its code is checked: manifest,
     * {@code file_list}, checksum and, when {@code verifier} checks them, signatures.
     */
    static BundleManifest verified(BundleVerifier verifier, String name, Path root) throws Refused {
        try {
            BundleManifest manifest = readManifest(name, root);
            verifier.verify(name, BundleVerifier.readManifest(name, root), root);
            List<String> unsigned = manifest.hookPathsOutsideFileList();
            if (verifier.checksSignatures() && !unsigned.isEmpty())
                throw new Refused(Reason.INVALID, "bundle \"" + name + "\": " + String.join(", ", unsigned) + " named by a hook's path but not in"
                        + " file_list: no signature covers it, and signatures are required (add it to file_list)");
            return manifest;
        } catch (BundleException e) {
            throw refused(e);
        } catch (ManifestException | BundleLoadException e) {
            throw new Refused(Reason.INVALID, e.getMessage());
        } catch (IOException e) {
            throw new Refused(Reason.INVALID, "bundle \"" + name + "\": cannot be read: " + e.getMessage());
        }
    }

    private static Refused refused(BundleException e) {
        return new Refused(e.problem() == BundleException.Problem.TOO_LARGE ? Reason.TOO_LARGE : Reason.INVALID, e.getMessage());
    }

    static BundleManifest readManifest(String name, Path bundleDir) throws IOException, ManifestException, BundleLoadException {
        Path m = bundleDir.resolve(MANIFEST);
        byte[] json;
        try {
            json = Files.readAllBytes(m);
        } catch (NoSuchFileException e) {
            throw new BundleLoadException("bundle \"" + name + "\": manifest.json is missing");
        }
        BundleManifest manifest = BundleManifest.parse(name, json);
        List<String> missing = new ArrayList<>();
        for (String f : manifest.fileList()) {
            Path p = bundleDir.resolve(f).normalize();
            if (!p.startsWith(bundleDir.normalize()) || !Files.isRegularFile(p)) missing.add(f);
        }
        if (!missing.isEmpty())
            throw new BundleLoadException("bundle \"" + name + "\": manifest.json: file_list names "
                    + (missing.size() == 1 ? "a file that is" : "files that are") + " not in the bundle: " + String.join(", ", missing));
        return manifest;
    }

    /**
     * The version of a bundle: the first 12 hex digits of SHA-256 over {@code manifest.json} and
     * the {@code file_list} files (name and bytes), so the same content has the same version
     * however it was packed or delivered.
     */
    static String contentVersion(Path root, BundleManifest manifest) throws IOException {
        MessageDigest md = sha256();
        update(md, MANIFEST, Files.readAllBytes(root.resolve(MANIFEST)));
        for (String f : manifest.fileList()) update(md, f, Files.readAllBytes(root.resolve(f)));
        for (String f : manifest.hookPathsOutsideFileList()) {
            Path p = root.resolve(f);
            if (Files.isRegularFile(p)) update(md, f, Files.readAllBytes(p));
        }
        return HexFormat.of().formatHex(md.digest(), 0, 6);
    }

    private static void update(MessageDigest md, String name, byte[] bytes) {
        md.update(name.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(Long.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
        md.update((byte) 0);
        md.update(bytes);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deletes a folder of ours (best effort: a failure is only logged). */
    static void deleteTree(Path p) {
        if (p == null || !Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        } catch (IOException e) {
            LOG.debug("cannot delete {}: {}", p, e.toString());
        }
    }

    /** Closes the loader and deletes the extracted versions; call after every version is closed. */
    @Override
    public void close() {
        loader.close();
        deleteTree(workDir);
    }
}
