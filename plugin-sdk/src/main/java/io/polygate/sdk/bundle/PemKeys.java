package io.polygate.sdk.bundle;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads RSA keys from PEM text with the JDK alone, accepting what {@code openssl} and Tyk's
 * {@code goverify} produce.
 *
 * <ul>
 *   <li>private: {@code BEGIN PRIVATE KEY} (PKCS#8) and {@code BEGIN RSA PRIVATE KEY} (PKCS#1);
 *       encrypted keys are refused with a hint to decrypt them with openssl;</li>
 *   <li>public: {@code BEGIN PUBLIC KEY} (X.509 SubjectPublicKeyInfo), {@code BEGIN RSA PUBLIC KEY}
 *       (PKCS#1) and {@code BEGIN CERTIFICATE} (its public key).</li>
 * </ul>
 * Other blocks in the text (e.g. parameters) are skipped. Non-RSA keys are refused. Every failure is
 * a {@link BundleException} with {@link BundleException.Problem#KEY_INVALID}, naming the key file.
 */
public final class PemKeys {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    /** AlgorithmIdentifier { rsaEncryption, NULL } in DER. */
    private static final byte[] RSA_ALGORITHM_ID = {
            0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private PemKeys() {}

    /** Reads an RSA private key from a PEM file; the file name appears in errors. */
    public static RSAPrivateKey readPrivateKey(Path pemFile) throws BundleException {
        return readPrivateKey(pemFile.toString(), readText(pemFile));
    }

    /** Reads an RSA public key from a PEM file; the file name appears in errors. */
    public static RSAPublicKey readPublicKey(Path pemFile) throws BundleException {
        return readPublicKey(pemFile.toString(), readText(pemFile));
    }

    /**
     * @param keyName how the key is named in errors (e.g. its file name or config path)
     * @param pem     PEM text holding a {@code PRIVATE KEY} or {@code RSA PRIVATE KEY} block
     */
    public static RSAPrivateKey readPrivateKey(String keyName, String pem) throws BundleException {
        for (Block b : blocks(pem)) {
            try {
                switch (b.type()) {
                    case "PRIVATE KEY" -> {
                        try {
                            return rsaPrivate(keyName, KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(b.der())));
                        } catch (InvalidKeySpecException e) {
                            throw notRsa(keyName, "private", e, alg -> KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(b.der())));
                        }
                    }
                    case "RSA PRIVATE KEY" -> {
                        if (b.encrypted()) throw encrypted(keyName);
                        byte[] pkcs8 = sequence(concat(new byte[] {0x02, 0x01, 0x00}, RSA_ALGORITHM_ID, tlv(0x04, b.der())));
                        return rsaPrivate(keyName, KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8)));
                    }
                    case "ENCRYPTED PRIVATE KEY" -> throw encrypted(keyName);
                    default -> { }
                }
            } catch (GeneralSecurityException e) {
                throw BundleException.keyInvalid(keyName, "not a readable RSA private key (" + e.getMessage() + ")", e);
            }
        }
        throw BundleException.keyInvalid(keyName,
                "no private key found (expected a PEM block \"BEGIN PRIVATE KEY\" or \"BEGIN RSA PRIVATE KEY\")", null);
    }

    /**
     * @param keyName how the key is named in errors (e.g. its file name or config path)
     * @param pem     PEM text holding a {@code PUBLIC KEY}, {@code RSA PUBLIC KEY} or {@code CERTIFICATE} block
     */
    public static RSAPublicKey readPublicKey(String keyName, String pem) throws BundleException {
        for (Block b : blocks(pem)) {
            try {
                switch (b.type()) {
                    case "PUBLIC KEY" -> {
                        try {
                            return rsaPublic(keyName, KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(b.der())));
                        } catch (InvalidKeySpecException e) {
                            throw notRsa(keyName, "public", e, alg -> KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(b.der())));
                        }
                    }
                    case "RSA PUBLIC KEY" -> {
                        byte[] bitString = tlv(0x03, concat(new byte[] {0x00}, b.der()));
                        byte[] spki = sequence(concat(RSA_ALGORITHM_ID, bitString));
                        return rsaPublic(keyName, KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(spki)));
                    }
                    case "CERTIFICATE" -> {
                        return rsaPublic(keyName, CertificateFactory.getInstance("X.509")
                                .generateCertificate(new ByteArrayInputStream(b.der())).getPublicKey());
                    }
                    case "PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY" -> throw BundleException.keyInvalid(keyName,
                            "is a private key; configure the public key (openssl rsa -in private.pem -pubout -out public.pem)", null);
                    default -> { }
                }
            } catch (GeneralSecurityException e) {
                throw BundleException.keyInvalid(keyName, "not a readable RSA public key (" + e.getMessage() + ")", e);
            }
        }
        throw BundleException.keyInvalid(keyName,
                "no public key found (expected a PEM block \"BEGIN PUBLIC KEY\", \"BEGIN RSA PUBLIC KEY\" or \"BEGIN CERTIFICATE\")", null);
    }

    private record Block(String type, byte[] der, boolean encrypted) {}

    private static List<Block> blocks(String pem) {
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            StringBuilder body = new StringBuilder();
            boolean encrypted = false;
            for (String line : m.group(2).split("\\R")) {
                if (line.contains(":")) {
                    // RFC 1421 headers, e.g. "Proc-Type: 4,ENCRYPTED" on a legacy encrypted key
                    if (line.contains("ENCRYPTED")) encrypted = true;
                    continue;
                }
                body.append(line.strip());
            }
            try {
                out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(body.toString()), encrypted));
            } catch (IllegalArgumentException e) {
                out.add(new Block(m.group(1), new byte[0], encrypted));
            }
        }
        return out;
    }

    private static BundleException encrypted(String keyName) {
        return BundleException.keyInvalid(keyName,
                "is encrypted; decrypt it first (openssl pkey -in encrypted.pem -out private.pem)", null);
    }

    private interface KeyReader { Key read(String algorithm) throws GeneralSecurityException; }

    /** Names the algorithm of a well-formed non-RSA key, so the user knows why it was refused. */
    private static BundleException notRsa(String keyName, String kind, InvalidKeySpecException rsaFailure, KeyReader reader) {
        for (String alg : List.of("EC", "Ed25519", "Ed448", "DSA")) {
            try {
                reader.read(alg);
                return BundleException.keyInvalid(keyName, "is an " + alg + " key; bundles are signed with RSA keys", null);
            } catch (GeneralSecurityException ignored) {
                // not this algorithm either
            }
        }
        return BundleException.keyInvalid(keyName, "not a readable RSA " + kind + " key (" + rsaFailure.getMessage() + ")", rsaFailure);
    }

    private static RSAPrivateKey rsaPrivate(String keyName, PrivateKey key) throws BundleException {
        if (key instanceof RSAPrivateKey rsa) return rsa;
        throw BundleException.keyInvalid(keyName, "is an " + key.getAlgorithm() + " key; bundles are signed with RSA keys", null);
    }

    private static RSAPublicKey rsaPublic(String keyName, PublicKey key) throws BundleException {
        if (key instanceof RSAPublicKey rsa) return rsa;
        throw BundleException.keyInvalid(keyName, "is an " + key.getAlgorithm() + " key; bundles are signed with RSA keys", null);
    }

    private static String readText(Path file) throws BundleException {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw BundleException.io(file.toString(), null, "cannot read the key file", e);
        }
    }

    private static byte[] sequence(byte[] content) { return tlv(0x30, content); }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int len = content.length;
        if (len < 0x80) {
            out.write(len);
        } else {
            int bytes = len > 0xFFFFFF ? 4 : len > 0xFFFF ? 3 : len > 0xFF ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) out.write(len >>> (8 * i));
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
