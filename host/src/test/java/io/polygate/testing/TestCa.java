package io.polygate.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made by the test (BouncyCastle), issuing server and client
 * certificates written as PEM files, as openssl would write them. EC P-256 keys: quick to make.
 */
public final class TestCa {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final X500Name name;
    private final KeyPair keys;
    private final X509Certificate certificate;

    private TestCa(X500Name name, KeyPair keys, X509Certificate certificate) {
        this.name = name;
        this.keys = keys;
        this.certificate = certificate;
    }

    /** A certificate and its key, and the PEM files holding them. */
    public record Issued(X509Certificate certificate, KeyPair keys, Path cert, Path key) {}

    public static TestCa create(String commonName) {
        X500Name name = new X500Name("CN=" + commonName);
        KeyPair keys = newKeys();
        JcaX509v3CertificateBuilder b = builder(name, name, keys);
        try {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TestCa(name, keys, sign(b, keys));
    }

    public X509Certificate certificate() { return certificate; }

    /** Writes the CA certificate to {@code file} (a trust file: {@code client_ca}, {@code upstream_tls.ca}). */
    public Path writeCertificate(Path file) {
        write(file, certificate);
        return file;
    }

    /** A server certificate for {@code dnsNames} (the first is also its CN), as {@code dir/base.crt} and {@code dir/base.key}. */
    public Issued server(Path dir, String base, String... dnsNames) {
        GeneralName[] names = new GeneralName[dnsNames.length];
        for (int i = 0; i < dnsNames.length; i++) names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
        return issue(dir, base, dnsNames[0], new GeneralNames(names));
    }

    /** A client certificate with CN {@code commonName}. */
    public Issued client(Path dir, String base, String commonName) {
        return issue(dir, base, commonName, null);
    }

    private Issued issue(Path dir, String base, String commonName, GeneralNames altNames) {
        KeyPair leafKeys = newKeys();
        JcaX509v3CertificateBuilder b = builder(name, new X500Name("CN=" + commonName), leafKeys);
        try {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            if (altNames != null) b.addExtension(Extension.subjectAlternativeName, false, altNames);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        X509Certificate cert = sign(b, keys);
        Path certFile = dir.resolve(base + ".crt");
        Path keyFile = dir.resolve(base + ".key");
        write(certFile, cert);
        try {
            write(keyFile, new JcaPKCS8Generator(leafKeys.getPrivate(), null)); // BEGIN PRIVATE KEY, as openssl genpkey writes
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new IllegalStateException(e);
        }
        return new Issued(cert, leafKeys, certFile, keyFile);
    }

    /** A client TLS context trusting this CA, presenting {@code client} (or no certificate when null). */
    public SSLContext clientContext(Issued client) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (client != null) {
                KeyStore keyStore = KeyStore.getInstance("PKCS12");
                keyStore.load(null, null);
                keyStore.setKeyEntry("client", client.keys().getPrivate(), "x".toCharArray(), new X509Certificate[] {client.certificate(), certificate});
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keyStore, "x".toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject, keys.getPublic());
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder b, KeyPair signer) {
        try {
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair newKeys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(Path file, Object pemObject) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            w.writeObject(pemObject);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            // written beside and moved over the old file, as a certificate renewal tool does
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, text.toString());
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
