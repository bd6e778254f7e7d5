package io.polygate.tls;

import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** The protocol versions and cipher suites a TLS side accepts, on either end of a connection. */
final class TlsParameters {
    /** TLS 1.3's suites are not configurable: they stay beside any TLS 1.2 list given. */
    private static final List<String> TLS13_SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

    private TlsParameters() {}

    /** @param minVersion {@code TLSv1.2}, {@code TLSv1.3}, or null for the JDK's defaults; ciphers empty: the JDK's */
    static void apply(SslContextFactory factory, String minVersion, List<String> ciphers) {
        if ("TLSv1.3".equals(minVersion)) factory.setIncludeProtocols("TLSv1.3");
        else if ("TLSv1.2".equals(minVersion)) factory.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        if (!ciphers.isEmpty()) {
            List<String> suites = new ArrayList<>(TLS13_SUITES);
            suites.addAll(ciphers);
            factory.setIncludeCipherSuites(suites.toArray(new String[0]));
        }
    }
}
