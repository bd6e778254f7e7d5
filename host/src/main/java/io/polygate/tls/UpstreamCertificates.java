package io.polygate.tls;

import io.polygate.config.ConfigException;
import io.polygate.config.UpstreamTlsConfig;
import java.util.Set;
import org.eclipse.jetty.util.component.ContainerLifeCycle;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of one {@code upstream_tls} setting ({@code ca}, {@code client_cert},
 * {@code client_key}), watched while its client runs ({@link CertificateFileWatch}): when one
 * changes, the client's trust store and certificate are read again, so new connections to the
 * upstream use them; connections already open keep theirs. Files that do not load leave the client
 * as it was, with a log line naming the problem, until a later change loads.
 */
public final class UpstreamCertificates extends ContainerLifeCycle {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamCertificates.class);

    private final UpstreamTlsConfig config;
    private final SslContextFactory.Client factory;

    /** @param factory the client's factory, made by {@link UpstreamTls#sslContextFactory} from {@code config} */
    public UpstreamCertificates(UpstreamTlsConfig config, SslContextFactory.Client factory) {
        this.config = config;
        this.factory = factory;
        if (!config.files().isEmpty()) addBean(CertificateFileWatch.of(config.files(), this::reload), true);
    }

    private void reload(Set<String> changed) {
        try {
            factory.reload(f -> UpstreamTls.setStores((SslContextFactory.Client) f, config));
            LOG.info("upstream_tls: certificates reloaded ({} changed)", changed);
        } catch (ConfigException e) {
            LOG.warn("upstream_tls: {} changed but does not load, the certificates in use stay as they were: {}", changed,
                    String.join("; ", e.errors()));
        } catch (Exception e) {
            LOG.error("upstream_tls: reloading the certificates failed, the ones in use stay as they were: {}", e.toString());
        }
    }
}
