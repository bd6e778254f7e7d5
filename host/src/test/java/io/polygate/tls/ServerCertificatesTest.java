package io.polygate.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polygate.config.ConfigException;
import io.polygate.config.TlsConfig;
import io.polygate.testing.TestCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a listener's PEM files must hold, and the error naming the file when they do not. */
class ServerCertificatesTest {
    @TempDir Path dir;

    private static TlsConfig listener(Path cert, Path key) {
        return new TlsConfig(0, List.of(new TlsConfig.CertificateFiles(cert, key)), "TLSv1.2", List.of(), null);
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingBothFiles() {
        TestCa ca = TestCa.create("CA");
        TestCa.Issued a = ca.server(dir, "a", "a.test");
        TestCa.Issued b = ca.server(dir, "b", "b.test");
        assertThatThrownBy(() -> new ServerCertificates("tls", listener(a.cert(), b.key())))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
                        b.key() + ": is not the private key of the certificate in " + a.cert()));
    }

    @Test
    void filesWithoutPemBlocksAreRefused() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.pem"), "not pem\n");
        TestCa.Issued a = TestCa.create("CA").server(dir, "a", "a.test");
        assertThatThrownBy(() -> new ServerCertificates("tls", listener(junk, a.key())))
                .hasMessageContaining(junk + ": holds no PEM certificate");
        assertThatThrownBy(() -> new ServerCertificates("tls", listener(a.cert(), a.cert())))
                .hasMessageContaining(a.cert() + ": holds no PEM private key");
    }

    @Test
    void theCertificatesLoadIntoOneKeyStoreEntryEach() throws Exception {
        TestCa ca = TestCa.create("CA");
        TestCa.Issued a = ca.server(dir, "a", "a.test");
        ServerCertificates certs = new ServerCertificates("tls", listener(a.cert(), a.key()));
        assertThat(java.util.Collections.list(certs.sslContextFactory().getKeyStore().aliases())).containsExactly(SniCertificates.alias(0));
    }
}
