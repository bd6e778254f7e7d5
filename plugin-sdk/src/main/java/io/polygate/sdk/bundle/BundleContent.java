package io.polygate.sdk.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.security.SignatureException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What the checksum and the signatures cover, shared by {@link BundleBuilder} and
 * {@link BundleVerifier} so both compute exactly the same bytes.
 *
 * <ul>
 *   <li>{@code checksum}: hex MD5 of the files in {@code file_list}, read in list order and
 *       concatenated (Tyk's {@code tyk bundle build}).</li>
 *   <li>{@code signature}: base64 RSA PKCS#1 v1.5 over SHA-256 of the same concatenation (Tyk,
 *       via goverify's {@code Sign}).</li>
 *   <li>{@code signature_strict}: base64 RSA PKCS#1 v1.5 over SHA-256 of the
 *       {@linkplain #strictStatement statement} listing the canonical manifest's SHA-256 and
 *       each file's SHA-256.</li>
 * </ul>
 */
final class BundleContent {
    static final String MANIFEST = "manifest.json";
    static final String FILE_LIST = "file_list";
    static final String CHECKSUM = "checksum";
    static final String SIGNATURE = "signature";
    static final String SIGNATURE_STRICT = "signature_strict";
    static final String SIGNATURE_ALGORITHM = "SHA256withRSA";
    static final String STRICT_VERSION = "polygate-bundle-strict-v1";

    private BundleContent() {}

    /** The files a manifest lists, each checked to be a safe relative path. */
    static List<String> fileList(String bundle, JsonNode manifest) throws BundleException {
        if (manifest == null || !manifest.isObject())
            throw BundleException.manifestInvalid(bundle, MANIFEST, "manifest is not a JSON object");
        JsonNode list = manifest.get(FILE_LIST);
        if (list == null || list.isNull())
            throw BundleException.manifestInvalid(bundle, MANIFEST, "file_list is missing (e.g. \"file_list\": [\"middleware.py\"])");
        if (!list.isArray())
            throw BundleException.manifestInvalid(bundle, MANIFEST, "file_list must be an array of file names (e.g. [\"middleware.py\"])");
        List<String> files = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            JsonNode item = list.get(i);
            if (!item.isTextual() || item.textValue().isEmpty())
                throw BundleException.manifestInvalid(bundle, MANIFEST, "file_list[" + i + "] must be a non-empty file name, not " + item);
            String name = item.textValue();
            String problem = unsafe(name);
            if (problem != null) throw BundleException.manifestInvalid(bundle, name, "file_list[" + i + "] " + problem);
            files.add(name);
        }
        return files;
    }

    /** Why a file_list name is unsafe, or null. */
    private static String unsafe(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) return "contains a control character";
        }
        if (name.indexOf('\\') >= 0) return "contains a backslash (use '/')";
        if (name.startsWith("/")) return "is an absolute path";
        if (name.indexOf(':') >= 0) return "contains ':' (a drive letter or stream name)";
        for (String s : name.split("/")) {
            if (s.equals("..")) return "escapes the bundle folder";
        }
        if (name.endsWith("/")) return "names a folder, not a file";
        return null;
    }

    /** The regular file a file_list name refers to, refusing links and anything outside root. */
    static Path resolve(String bundle, Path root, String name) throws BundleException {
        Path file = root.resolve(name).normalize();
        try {
            if (!file.startsWith(root.normalize())) throw BundleException.manifestInvalid(bundle, name, "file_list entry escapes the bundle folder");
            if (Files.isSymbolicLink(file)) throw BundleException.link(bundle, name, "symbolic link");
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS))
                throw BundleException.fileMissing(bundle, name, "listed in file_list but not in the bundle");
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
                throw BundleException.fileMissing(bundle, name, "listed in file_list but is not a regular file");
            // a linked parent folder could point anywhere
            if (!file.toRealPath().startsWith(root.toRealPath()))
                throw BundleException.link(bundle, name, "path through a symbolic link");
        } catch (NoSuchFileException e) {
            throw BundleException.fileMissing(bundle, name, "listed in file_list but not in the bundle");
        } catch (IOException e) {
            throw BundleException.io(bundle, name, "cannot read", e);
        }
        return file;
    }

    /** Per-file digests and the Tyk checksum, from one pass over the files. */
    record Hashes(String md5Hex, List<byte[]> fileSha256) {}

    /**
     * Reads the files once, in order, feeding the Tyk checksum, each file's SHA-256 and, when given,
     * an initialised {@code tykSignature} (sign or verify) with the concatenated bytes.
     */
    static Hashes hash(String bundle, Path root, List<String> files, Signature tykSignature) throws BundleException {
        MessageDigest md5 = digest("MD5");
        List<byte[]> perFile = new ArrayList<>(files.size());
        byte[] buf = new byte[64 * 1024];
        for (String name : files) {
            Path file = resolve(bundle, root, name);
            MessageDigest sha = digest("SHA-256");
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    md5.update(buf, 0, n);
                    sha.update(buf, 0, n);
                    if (tykSignature != null) tykSignature.update(buf, 0, n);
                }
            } catch (IOException e) {
                throw BundleException.io(bundle, name, "cannot read", e);
            } catch (SignatureException e) {
                throw new IllegalStateException("signature object not initialised", e);
            }
            perFile.add(sha.digest());
        }
        return new Hashes(HexFormat.of().formatHex(md5.digest()), perFile);
    }

    /**
     * The text {@code signature_strict} signs:
     * <pre>
     * polygate-bundle-strict-v1
     * manifest &lt;hex SHA-256 of the canonical manifest without signature and signature_strict&gt;
     * file &lt;hex SHA-256 of file_list[0]&gt;
     * file &lt;hex SHA-256 of file_list[1]&gt;
     * ...
     * </pre>
     * Each line ends with {@code \n}. The manifest digest covers {@code file_list} (names and order),
     * {@code checksum} and every hook, so nothing the gateway acts on can change unsigned.
     */
    static byte[] strictStatement(ObjectNode manifest, List<byte[]> fileSha256) {
        ObjectNode unsigned = manifest.deepCopy();
        unsigned.remove(SIGNATURE);
        unsigned.remove(SIGNATURE_STRICT);
        HexFormat hex = HexFormat.of();
        StringBuilder b = new StringBuilder(STRICT_VERSION).append('\n');
        b.append("manifest ").append(hex.formatHex(digest("SHA-256").digest(
                CanonicalJson.write(unsigned).getBytes(StandardCharsets.UTF_8)))).append('\n');
        for (byte[] d : fileSha256) b.append("file ").append(hex.formatHex(d)).append('\n');
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JDK", e);
        }
    }

    static Signature signature() {
        try {
            return Signature.getInstance(SIGNATURE_ALGORITHM);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(SIGNATURE_ALGORITHM + " is missing from this JDK", e);
        }
    }
}
