package io.polygate.tls;

import io.polygate.config.ConfigException;
import io.polygate.config.TlsConfig;
import java.security.KeyStore;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.util.component.ContainerLifeCycle;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificates of one TLS listener: its {@link SslContextFactory.Server}, loaded from the PEM
 * files of a {@link TlsConfig}, and reloaded without a restart when one of them changes
 * ({@link CertificateFileWatch}).
 * Handshakes after a reload get the new certificates; connections already open keep theirs.
 * Files that do not load (a key written before its certificate, a broken file) leave the
 * certificates served as they were, with a log line naming the problem, until a later change loads.
 */
public final class ServerCertificates extends ContainerLifeCycle {
    private static final Logger LOG = LoggerFactory.getLogger(ServerCertificates.class);

    private final String name;
    private final TlsConfig config;
    private final SslContextFactory.Server factory = new SslContextFactory.Server();

    /**
     * @param name the listener's name in log lines
     * @throws ConfigException when a file does not hold what it should
     */
    public ServerCertificates(String name, TlsConfig config) {
        this.name = name;
        this.config = config;
        Stores stores = load(config);
        factory.setKeyStore(stores.keys());
        factory.setKeyStorePassword(new String(PemFiles.STORE_PASSWORD));
        factory.setKeyManagerPassword(new String(PemFiles.STORE_PASSWORD));
        factory.setSNISelector(new SniCertificates());
        if (stores.clientCas() != null) {
            factory.setTrustStore(stores.clientCas());
            // asked for, not required: an API without auth: mtls serves clients without one
            factory.setWantClientAuth(true);
        }
        TlsParameters.apply(factory, config.minVersion(), config.ciphers());
        addBean(CertificateFileWatch.of(config.files(), this::reload), true);
    }

    public SslContextFactory.Server sslContextFactory() { return factory; }

    private record Stores(KeyStore keys, KeyStore clientCas) {}

    private static Stores load(TlsConfig config) {
        KeyStore keys = PemFiles.emptyStore();
        List<TlsConfig.CertificateFiles> certs = config.certificates();
        for (int i = 0; i < certs.size(); i++) PemFiles.addKeyEntry(keys, SniCertificates.alias(i), certs.get(i).cert(), certs.get(i).key());
        return new Stores(keys, config.clientCa() == null ? null : PemFiles.trustStore(config.clientCa()));
    }

    private void reload(Set<String> changed) {
        Stores stores;
        try {
            stores = load(config);
        } catch (ConfigException e) {
            LOG.warn("{}: {} changed but does not load, the certificates served stay as they were: {}", name, changed,
                    String.join("; ", e.errors()));
            return;
        }
        try {
            factory.reload(f -> {
                f.setKeyStore(stores.keys());
                if (stores.clientCas() != null) f.setTrustStore(stores.clientCas());
            });
            LOG.info("{}: certificates reloaded ({} changed)", name, changed);
        } catch (Exception e) {
            LOG.error("{}: reloading the certificates failed, the ones served stay as they were: {}", name, e.toString());
        }
    }
}
