package io.polygate.sdk.bundle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;

/** RSA keys generated at run time (no private key is committed), and their PEM forms. */
final class TestKeys {
    /** Generated once per JVM: 2048-bit generation costs a noticeable fraction of a second. */
    static final KeyPair KEYS = generate();
    static final KeyPair OTHER_KEYS = generate();

    private TestKeys() {}

    static RSAPrivateKey privateKey() { return (RSAPrivateKey) KEYS.getPrivate(); }

    static RSAPublicKey publicKey() { return (RSAPublicKey) KEYS.getPublic(); }

    private static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** "BEGIN PRIVATE KEY" (PKCS#8), as openssl genpkey writes. */
    static String pkcs8Pem(KeyPair k) { return pem("PRIVATE KEY", k.getPrivate().getEncoded()); }

    /** "BEGIN RSA PRIVATE KEY" (PKCS#1), as openssl genrsa (1.x) and Tyk's docs write: the OCTET STRING inside PKCS#8. */
    static String pkcs1Pem(KeyPair k) { return pem("RSA PRIVATE KEY", lastElement(k.getPrivate().getEncoded(), 0x04)); }

    /** "BEGIN PUBLIC KEY" (X.509 SubjectPublicKeyInfo). */
    static String spkiPem(KeyPair k) { return pem("PUBLIC KEY", k.getPublic().getEncoded()); }

    /** "BEGIN RSA PUBLIC KEY" (PKCS#1): the BIT STRING inside SubjectPublicKeyInfo, minus its unused-bits byte. */
    static String pkcs1PublicPem(KeyPair k) {
        byte[] bits = lastElement(k.getPublic().getEncoded(), 0x03);
        return pem("RSA PUBLIC KEY", Arrays.copyOfRange(bits, 1, bits.length));
    }

    static Path write(Path file, String text) throws java.io.IOException {
        Files.writeString(file, text);
        return file;
    }

    /** The content of the last element of the outer DER SEQUENCE, which must have this tag. */
    private static byte[] lastElement(byte[] der, int tag) {
        int[] outer = header(der, 0);
        int pos = outer[0];
        int end = outer[0] + outer[1];
        byte[] last = null;
        while (pos < end) {
            int t = der[pos] & 0xFF;
            int[] h = header(der, pos);
            if (t == tag) last = Arrays.copyOfRange(der, h[0], h[0] + h[1]);
            pos = h[0] + h[1];
        }
        if (last == null) throw new AssertionError("no element with tag " + tag);
        return last;
    }

    /** {content offset, content length} of the DER element at pos. */
    private static int[] header(byte[] der, int pos) {
        int len = der[pos + 1] & 0xFF;
        int off = pos + 2;
        if (len >= 0x80) {
            int n = len & 0x7F;
            len = 0;
            for (int i = 0; i < n; i++) len = (len << 8) | (der[off + i] & 0xFF);
            off += n;
        }
        return new int[] {off, len};
    }
}
