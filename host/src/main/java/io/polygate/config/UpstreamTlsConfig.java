package io.polygate.config;

import java.nio.file.Path;
import java.util.List;

/**
 * How the gateway speaks TLS to one API's {@code https://} upstream: {@code upstream_tls} in the
 * API definition, or Tyk's {@code proxy.transport.ssl_*} fields. Verification is on unless
 * {@code insecureSkipVerify}.
 *
 * @param ca                 PEM file of the CAs the upstream's certificate must chain to, or null
 *                           for the JDK's default trust store
 * @param clientCert         PEM certificate chain the gateway presents to the upstream, or null
 * @param clientKey          its private key (set exactly when {@code clientCert} is)
 * @param serverName         the SNI name sent and the name the upstream's certificate must carry,
 *                           or null for the target URL's host
 * @param insecureSkipVerify accept any upstream certificate (Tyk's {@code ssl_insecure_skip_verify})
 * @param minVersion         lowest protocol, {@code TLSv1.2} or {@code TLSv1.3}, or null for the JDK's
 * @param ciphers            TLS 1.2 cipher suites (JSSE or IANA names), empty for the JDK's defaults
 * @param http2              offer HTTP/2 by ALPN besides HTTP/1.1; the upstream chooses
 */
public record UpstreamTlsConfig(Path ca, Path clientCert, Path clientKey, String serverName, boolean insecureSkipVerify,
                                String minVersion, List<String> ciphers, boolean http2) {
    /** Nothing set: the JDK's trust store, the target's host name, verification on, HTTP/1.1. */
    public static final UpstreamTlsConfig DEFAULT = new UpstreamTlsConfig(null, null, null, null, false, null, List.of(), false);

    public UpstreamTlsConfig {
        ciphers = List.copyOf(ciphers);
    }

    /** The PEM files it names ({@code ca}, {@code client_cert}, {@code client_key}), those set. */
    public List<Path> files() {
        List<Path> files = new java.util.ArrayList<>();
        for (Path f : new Path[] {ca, clientCert, clientKey}) if (f != null) files.add(f);
        return files;
    }
}
