package io.polygate.testing;

import io.polygate.sdk.bundle.BundleBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.eclipse.jetty.util.IO;

/** Bundle zips for tests: built by {@link BundleBuilder}, or zipped by hand with any entry names. */
public final class BundleZips {
    private BundleZips() {}

    /** A fresh 2048-bit RSA key pair. */
    public static KeyPair keyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the public key as a PEM file ({@code BEGIN PUBLIC KEY}). */
    public static Path writePublicPem(KeyPair keys, Path file) throws IOException {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPublic().getEncoded());
        Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n");
        return file;
    }

    /** Builds with {@link BundleBuilder} from files (manifest.json included), signed when {@code key} is not null. */
    public static byte[] build(Map<String, String> files, RSAPrivateKey key) {
        try {
            Path dir = Files.createTempDirectory("polygate-bundle-src");
            for (Map.Entry<String, String> f : files.entrySet()) {
                Path p = dir.resolve(f.getKey());
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.getValue());
            }
            Path out = dir.resolveSibling(dir.getFileName() + ".zip");
            BundleBuilder b = BundleBuilder.fromDirectory(dir);
            if (key != null) b.signingKey(key);
            b.build(out);
            byte[] zip = Files.readAllBytes(out);
            Files.delete(out);
            IO.delete(dir.toFile());
            return zip;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Zips entries as given (names unchecked, e.g. {@code ../x.py}), in order. */
    public static byte[] zip(Map<String, String> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Tyk's manifest by hand: {@code checksum} = hex MD5 of the listed files concatenated, and with
     * a key {@code signature} = base64 RSA PKCS#1 v1.5 over SHA-256 of the same bytes.
     */
    public static String tykManifest(String customMiddlewareJson, Map<String, String> files, RSAPrivateKey key) {
        try {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (String v : files.values()) all.write(v.getBytes(StandardCharsets.UTF_8));
            String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(all.toByteArray()));
            String sig = "";
            if (key != null) {
                Signature s = Signature.getInstance("SHA256withRSA");
                s.initSign(key);
                s.update(all.toByteArray());
                sig = Base64.getEncoder().encodeToString(s.sign());
            }
            return "{\n  \"file_list\": [" + String.join(", ", files.keySet().stream().map(f -> "\"" + f + "\"").toList()) + "],\n"
                    + "  \"custom_middleware\": " + customMiddlewareJson + ",\n"
                    + "  \"checksum\": \"" + md5 + "\",\n  \"signature\": \"" + sig + "\"\n}\n";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Files for a zip: the manifest first, then the rest in order. */
    public static Map<String, String> files(String manifest, String... nameThenContent) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("manifest.json", manifest);
        for (int i = 0; i + 1 < nameThenContent.length; i += 2) m.put(nameThenContent[i], nameThenContent[i + 1]);
        return m;
    }

    /** POST /bundles?name=NAME with the zip. */
    public static HttpResponse<String> push(GatewayFixture gw, String name, byte[] zip) throws IOException, InterruptedException {
        return push(gw.http(), gw.adminUrl("/bundles?name=" + name), zip);
    }

    public static HttpResponse<String> push(java.net.http.HttpClient http, URI uri, byte[] zip) throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("X-Polygate-Secret", GatewayFixture.SECRET).header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(zip)).build();
        return http.send(r, HttpResponse.BodyHandlers.ofString());
    }
}
