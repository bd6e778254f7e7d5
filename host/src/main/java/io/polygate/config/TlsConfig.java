package io.polygate.config;

import java.nio.file.Path;
import java.util.List;

/**
 * A TLS listener: the {@code tls:} section (an HTTPS port beside {@code listen_port}) or
 * {@code admin.tls} (the admin port itself speaks TLS). Files are PEM; they are read when the
 * gateway starts and again whenever one of them changes.
 *
 * @param port         the HTTPS port (0 = any free port); for {@code admin.tls}, the admin port
 * @param certificates the server certificates; the client's SNI host name picks the one whose
 *                     names match it, the first one serves a client that sends no name or an
 *                     unknown one
 * @param minVersion   the lowest protocol accepted, {@code TLSv1.2} or {@code TLSv1.3}
 * @param ciphers      the TLS 1.2 cipher suites accepted (JSSE names), or empty for the JDK's
 *                     defaults; TLS 1.3 suites are not configurable
 * @param clientCa     PEM file of the CAs client certificates must be signed by, or null: then
 *                     no client certificate is asked for (and {@code auth: mtls} APIs answer 401)
 */
public record TlsConfig(int port, List<CertificateFiles> certificates, String minVersion, List<String> ciphers, Path clientCa) {
    public static final String DEFAULT_MIN_VERSION = "TLSv1.2";
    public static final List<String> VERSIONS = List.of("TLSv1.2", "TLSv1.3");

    public TlsConfig {
        certificates = List.copyOf(certificates);
        ciphers = List.copyOf(ciphers);
    }

    /** The files a change of triggers a reload. */
    public List<Path> files() {
        List<Path> files = new java.util.ArrayList<>();
        for (CertificateFiles c : certificates) {
            files.add(c.cert());
            files.add(c.key());
        }
        if (clientCa != null) files.add(clientCa);
        return files;
    }

    /** One certificate: its chain (leaf first) and its private key, both PEM files. */
    public record CertificateFiles(Path cert, Path key) {}
}
