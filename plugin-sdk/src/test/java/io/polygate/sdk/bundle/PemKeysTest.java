package io.polygate.sdk.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.polygate.sdk.bundle.BundleException.Problem;
import java.security.KeyPairGenerator;
import org.junit.jupiter.api.Test;

class PemKeysTest {
    @Test
    void readsPkcs8AndPkcs1PrivateKeys() throws Exception {
        assertThat(PemKeys.readPrivateKey("k8.pem", TestKeys.pkcs8Pem(TestKeys.KEYS))).isEqualTo(TestKeys.privateKey());
        assertThat(PemKeys.readPrivateKey("k1.pem", TestKeys.pkcs1Pem(TestKeys.KEYS)).getModulus())
                .isEqualTo(TestKeys.privateKey().getModulus());
        assertThat(PemKeys.readPrivateKey("k1.pem", TestKeys.pkcs1Pem(TestKeys.KEYS)).getPrivateExponent())
                .isEqualTo(TestKeys.privateKey().getPrivateExponent());
    }

    @Test
    void readsSpkiAndPkcs1PublicKeys() throws Exception {
        assertThat(PemKeys.readPublicKey("pub.pem", TestKeys.spkiPem(TestKeys.KEYS))).isEqualTo(TestKeys.publicKey());
        assertThat(PemKeys.readPublicKey("pub1.pem", "junk before\n" + TestKeys.pkcs1PublicPem(TestKeys.KEYS))).isEqualTo(TestKeys.publicKey());
    }

    @Test
    void refusesNonRsaKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        String pem = TestKeys.pem("PRIVATE KEY", g.generateKeyPair().getPrivate().getEncoded());

        BundleException e = assertThrows(BundleException.class, () -> PemKeys.readPrivateKey("ec.pem", pem));

        assertThat(e).hasMessage("key \"ec.pem\": is an EC key; bundles are signed with RSA keys");
        assertThat(e.problem()).isEqualTo(Problem.KEY_INVALID);
    }

    @Test
    void refusesEncryptedKeyWithAHint() {
        String pem = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n";

        BundleException e = assertThrows(BundleException.class, () -> PemKeys.readPrivateKey("enc.pem", pem));

        assertThat(e.getMessage()).contains("is encrypted; decrypt it first (openssl pkey -in encrypted.pem -out private.pem)");
    }

    @Test
    void refusesPrivateKeyWhereAPublicKeyIsExpected() {
        BundleException e = assertThrows(BundleException.class, () -> PemKeys.readPublicKey("gateway.pem", TestKeys.pkcs8Pem(TestKeys.KEYS)));

        assertThat(e.getMessage()).contains("is a private key; configure the public key");
    }

    @Test
    void refusesTextWithoutAKey() {
        BundleException e = assertThrows(BundleException.class, () -> PemKeys.readPublicKey("empty.pem", "hello"));

        assertThat(e).hasMessage("key \"empty.pem\": no public key found (expected a PEM block \"BEGIN PUBLIC KEY\", \"BEGIN RSA PUBLIC KEY\" or \"BEGIN CERTIFICATE\")");
    }
}
