package io.polygate.tls;

import io.polygate.config.ConfigException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * PEM files as the JDK's TLS needs them: certificate chains, private keys (PKCS#8, PKCS#1 RSA,
 * SEC1 EC: what openssl writes; not encrypted) and the in-memory key and trust stores built from
 * them. Every failure is a {@link ConfigException} naming the file and the problem.
 */
public final class PemFiles {
    /** Protects the in-memory stores only; they never leave the process. */
    static final char[] STORE_PASSWORD = "polygate".toCharArray();

    private PemFiles() {}

    /** The certificates of {@code file}, in file order (a chain: leaf first). */
    public static List<X509Certificate> certificates(Path file) {
        List<X509Certificate> certs = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object o : objects(file)) {
            if (!(o instanceof X509CertificateHolder holder)) continue;
            try {
                certs.add(converter.getCertificate(holder));
            } catch (CertificateException e) {
                throw problem(file, "a certificate in it is unreadable: " + e.getMessage());
            }
        }
        if (certs.isEmpty()) throw problem(file, "holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        return certs;
    }

    /** The one private key of {@code file}. */
    public static PrivateKey privateKey(Path file) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        for (Object o : objects(file)) {
            try {
                if (o instanceof PrivateKeyInfo info) return converter.getPrivateKey(info);
                if (o instanceof PEMKeyPair pair) return converter.getPrivateKey(pair.getPrivateKeyInfo()); // SEC1 may omit the public key
            } catch (IOException e) {
                throw problem(file, "the private key is unreadable: " + e.getMessage());
            }
            if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo)
                throw problem(file, "the private key is encrypted; decrypt it (openssl pkey -in " + file.getFileName() + " -out plain.key)");
        }
        throw problem(file, "holds no PEM private key (-----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }

    /** A key store holding one entry, {@code alias}: the key of {@code keyFile} with the chain of {@code certFile}, which must match. */
    static void addKeyEntry(KeyStore store, String alias, Path certFile, Path keyFile) {
        List<X509Certificate> chain = certificates(certFile);
        PrivateKey key = privateKey(keyFile);
        if (!matches(key, chain.get(0)))
            throw problem(keyFile, "is not the private key of the certificate in " + certFile);
        try {
            store.setKeyEntry(alias, key, STORE_PASSWORD, chain.toArray(new X509Certificate[0]));
        } catch (GeneralSecurityException e) {
            throw problem(keyFile, "cannot be used with " + certFile + ": " + e.getMessage());
        }
    }

    /** A trust store of every certificate in {@code caFile}. */
    static KeyStore trustStore(Path caFile) {
        KeyStore store = emptyStore();
        List<X509Certificate> cas = certificates(caFile);
        try {
            for (int i = 0; i < cas.size(); i++) store.setCertificateEntry("ca-" + i, cas.get(i));
        } catch (GeneralSecurityException e) {
            throw problem(caFile, "cannot be trusted: " + e.getMessage());
        }
        return store;
    }

    static KeyStore emptyStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, STORE_PASSWORD);
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the JDK cannot make a PKCS12 key store", e);
        }
    }

    /**
     * Whether {@code key} is the private half of the certificate's public key: for RSA and EC by
     * arithmetic (the modulus and exponent; the curve's generator times the private scalar), which
     * no provider or random nonce can make flaky; for other keys by a signature the certificate's
     * key verifies.
     */
    private static boolean matches(PrivateKey key, X509Certificate cert) {
        java.security.PublicKey pub = cert.getPublicKey();
        if (key instanceof java.security.interfaces.RSAPrivateCrtKey rsa && pub instanceof java.security.interfaces.RSAPublicKey rsaPub)
            return rsa.getModulus().equals(rsaPub.getModulus()) && rsa.getPublicExponent().equals(rsaPub.getPublicExponent());
        if (key instanceof java.security.interfaces.ECPrivateKey ec && pub instanceof java.security.interfaces.ECPublicKey ecPub) {
            org.bouncycastle.math.ec.ECPoint q = org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util.convertSpec(ec.getParams())
                    .getG().multiply(ec.getS()).normalize();
            return q.getAffineXCoord().toBigInteger().equals(ecPub.getW().getAffineX())
                    && q.getAffineYCoord().toBigInteger().equals(ecPub.getW().getAffineY());
        }
        if (!key.getAlgorithm().equals(pub.getAlgorithm())) return false; // e.g. an RSA key beside an EC certificate
        if (!key.getAlgorithm().equals("Ed25519") && !key.getAlgorithm().equals("EdDSA")) return true; // nothing to check it with
        try {
            byte[] probe = "polygate key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(pub);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static List<Object> objects(Path file) {
        List<Object> objects = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file); PEMParser parser = new PEMParser(reader)) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) objects.add(o);
        } catch (IOException e) {
            throw problem(file, "not readable as PEM: " + e.getMessage());
        }
        return objects;
    }

    private static ConfigException problem(Path file, String what) {
        return new ConfigException("TLS file", List.of(file + ": " + what));
    }
}
