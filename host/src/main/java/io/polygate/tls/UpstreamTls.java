package io.polygate.tls;

import io.polygate.config.ConfigException;
import io.polygate.config.UpstreamTlsConfig;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.SNIHostName;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** The client side of TLS to an upstream, from an API's {@link UpstreamTlsConfig}. */
public final class UpstreamTls {
    private UpstreamTls() {}

    /**
     * A factory that verifies the upstream's certificate against {@code ca} (else the JDK's trust
     * store) and its name against {@code server_name} (else the target's host), unless told to
     * skip both, and presents the client certificate when there is one.
     *
     * @throws ConfigException when a file does not hold what it should
     */
    public static SslContextFactory.Client sslContextFactory(UpstreamTlsConfig config) {
        SslContextFactory.Client factory = new SslContextFactory.Client();
        if (config.insecureSkipVerify()) {
            factory.setTrustAll(true);
            factory.setEndpointIdentificationAlgorithm(null);
        } else {
            factory.setEndpointIdentificationAlgorithm("HTTPS");
        }
        setStores(factory, config);
        factory.setKeyStorePassword(new String(PemFiles.STORE_PASSWORD));
        factory.setKeyManagerPassword(new String(PemFiles.STORE_PASSWORD));
        if (config.serverName() != null) {
            // the JDK checks the certificate against the SNI name first (then against the host connected to)
            List<javax.net.ssl.SNIServerName> name = List.of(new SNIHostName(config.serverName()));
            factory.setSNIProvider((engine, names) -> name);
        }
        TlsParameters.apply(factory, config.minVersion(), config.ciphers());
        return factory;
    }

    /**
     * Reads {@code config}'s files into {@code factory}: the trust store from {@code ca} (unless
     * verification is skipped) and the client certificate. Both stores are read before either is
     * set, so a file that does not load changes nothing.
     *
     * @throws ConfigException when a file does not hold what it should
     */
    static void setStores(SslContextFactory.Client factory, UpstreamTlsConfig config) {
        KeyStore trust = !config.insecureSkipVerify() && config.ca() != null ? PemFiles.trustStore(config.ca()) : null;
        KeyStore keys = null;
        if (config.clientCert() != null) {
            keys = PemFiles.emptyStore();
            PemFiles.addKeyEntry(keys, "client", config.clientCert(), config.clientKey());
        }
        if (trust != null) factory.setTrustStore(trust);
        if (keys != null) factory.setKeyStore(keys);
    }
}
