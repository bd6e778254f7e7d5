package io.polygate.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * Reads the TLS settings: the listeners' {@code tls} and {@code admin.tls}, and an API's
 * {@code upstream_tls} (or Tyk's {@code proxy.transport.ssl_*}). Files must exist when the config
 * is read; whether they hold what they should is checked when they are loaded (at start, on a
 * change, when an API's route is built).
 */
final class TlsDefinitions {
    /** Tyk writes TLS versions as Go's numbers: 771 = TLS 1.2, 772 = TLS 1.3. */
    private static final String VERSION_HINT = "\"TLSv1.2\" or \"TLSv1.3\" (also 1.2, 1.3, or Tyk's 771, 772)";
    private static final String HOST_NAME = "(?i)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*";

    private TlsDefinitions() {}

    /**
     * A listener's TLS section, or null when it is absent or invalid (its errors recorded).
     *
     * @param port the port to listen on for {@code admin.tls} (which has no {@code port} of its
     *             own), or -1 to read {@code port} from the section (default 8443)
     */
    static TlsConfig listener(Node t, Path baseDir, int port) {
        if (absent(t) || !t.requireObject()) return null;
        int before = t.errors().list().size();
        int listenPort = port >= 0 ? port : t.port("port", 8443);
        List<TlsConfig.CertificateFiles> certificates = new ArrayList<>();
        Node list = t.child("certificates");
        if (!list.json().isArray() || list.json().isEmpty()) {
            t.errors().add(list.path(), "must list at least one certificate, e.g. [{cert: server.crt, key: server.key}] (PEM files)");
        } else {
            for (int i = 0; i < list.json().size(); i++) {
                Node c = list.element(i);
                if (!c.requireObject()) continue;
                // Tyk's http_server_options.certificates name them cert_file and key_file
                Path cert = file(c, c.has("cert_file") ? "cert_file" : "cert", baseDir, true);
                Path key = file(c, c.has("key_file") ? "key_file" : "key", baseDir, true);
                if (cert != null && key != null) certificates.add(new TlsConfig.CertificateFiles(cert, key));
            }
        }
        String minVersion = version(t, "min_version");
        List<String> ciphers = ciphers(t, "ciphers");
        Path clientCa = file(t, "client_ca", baseDir, false);
        if (t.errors().list().size() != before) return null;
        return new TlsConfig(listenPort, certificates, minVersion == null ? TlsConfig.DEFAULT_MIN_VERSION : minVersion, ciphers, clientCa);
    }

    /**
     * An API's upstream TLS: its {@code upstream_tls} mapping, the Tyk Classic
     * {@code proxy.transport.ssl_*} fields filling in what it leaves out. Relative paths are the
     * gateway's working directory's. Never null: an API without any has {@link UpstreamTlsConfig#DEFAULT}.
     */
    static UpstreamTlsConfig upstream(Node api) {
        Node u = api.child("upstream_tls");
        Node tyk = api.child("proxy").child("transport");
        Path workDir = Path.of("").toAbsolutePath();
        boolean given = !absent(u);
        if (given && !u.requireObject()) return UpstreamTlsConfig.DEFAULT;
        Path ca = file(u, "ca", workDir, false);
        Path clientCert = file(u, "client_cert", workDir, false);
        Path clientKey = file(u, "client_key", workDir, false);
        if (u.has("client_cert") != u.has("client_key")) {
            boolean certMissing = !u.has("client_cert");
            u.errors().add(u.pathOf(certMissing ? "client_cert" : "client_key"),
                    "is required with " + (certMissing ? "client_key" : "client_cert") + " (the client certificate and its key)");
        }
        String serverName = u.string("server_name", null);
        if (serverName != null && (!serverName.matches(HOST_NAME) || serverName.matches("[0-9.]+")))
            u.errors().add(u.pathOf("server_name"), "\"" + serverName + "\" is not a host name (SNI carries DNS names, e.g. \"api.internal.example\")");
        boolean skip = u.bool("insecure_skip_verify", tyk.bool("ssl_insecure_skip_verify", false));
        String minVersion = u.has("min_version") ? version(u, "min_version") : version(tyk, "ssl_min_version");
        List<String> ciphers = u.has("ciphers") ? ciphers(u, "ciphers") : ciphers(tyk, "ssl_ciphers");
        boolean http2 = u.bool("http2", false);
        if (given) u.reportUnknownKeys();
        return new UpstreamTlsConfig(ca, clientCert, clientKey, serverName, skip, minVersion, ciphers, http2);
    }

    private static boolean absent(Node n) {
        return n.json() == null || n.json().isMissingNode() || n.json().isNull();
    }

    /** A path that must name a readable file; null when absent (or wrong: the error is recorded). */
    private static Path file(Node n, String field, Path baseDir, boolean required) {
        String name = required ? n.requiredString(field) : n.string(field, null);
        if (name == null || name.isBlank()) return null;
        Path p = baseDir.resolve(name).normalize();
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            n.errors().add(n.pathOf(field), "\"" + name + "\": no such readable file (" + p + ")");
            return null;
        }
        return p;
    }

    /** {@code TLSv1.2}/{@code TLSv1.3}, or null when the field is absent or wrong (recorded). */
    private static String version(Node n, String field) {
        if (!n.has(field)) return null;
        JsonNode v = n.json().get(field);
        if (v.isNumber() && v.asInt() == 0) return null; // Tyk writes 0 for "unset"
        String s = v.asText().trim();
        String version = switch (s.toUpperCase(Locale.ROOT)) {
            case "TLSV1.2", "1.2", "771", "TLS1.2" -> "TLSv1.2";
            case "TLSV1.3", "1.3", "772", "TLS1.3" -> "TLSv1.3";
            default -> null;
        };
        if (version == null) n.errors().add(n.pathOf(field), "\"" + s + "\" is not a supported TLS version: " + VERSION_HINT);
        return version;
    }

    /** Cipher suite names the JDK knows; empty when absent. */
    private static List<String> ciphers(Node n, String field) {
        if (!n.has(field)) return List.of();
        Node list = n.child(field);
        if (!list.json().isArray()) {
            n.errors().wrongType(list.path(), "a list of cipher suite names, e.g. [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]");
            return List.of();
        }
        Set<String> supported = supportedCipherSuites();
        List<String> ciphers = new ArrayList<>();
        for (int i = 0; i < list.json().size(); i++) {
            String c = list.json().get(i).asText("").trim();
            if (!supported.contains(c)) n.errors().add(list.path() + "[" + i + "]", "\"" + c + "\" is not a cipher suite this JDK supports");
            else ciphers.add(c);
        }
        return ciphers;
    }

    private static Set<String> supportedCipherSuites() {
        try {
            return Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no default TLS context", e);
        }
    }
}
