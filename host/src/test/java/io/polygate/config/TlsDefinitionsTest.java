package io.polygate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.polygate.config.ApiDefinition.AuthType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TLS settings as the config and API definitions give them: defaults, Tyk's names, and every mistake named. */
class TlsDefinitionsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String FINGERPRINT = "ab".repeat(32);

    @TempDir Path dir;

    @BeforeEach
    void files() throws Exception {
        for (String f : List.of("a.crt", "a.key", "ca.pem")) Files.writeString(dir.resolve(f), "-");
    }

    private GatewayConfig load(String yaml) throws Exception {
        return new ConfigLoader(Map.of()).load(YAML.readTree("admin: {secret: s}\n" + yaml), dir, "test");
    }

    private List<String> errors(String yaml) {
        try {
            load(yaml);
        } catch (ConfigException e) {
            return e.errors();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("accepted: " + yaml);
    }

    @Test
    void noTlsSectionMeansPlainHttpOnly() throws Exception {
        GatewayConfig c = load("");
        assertThat(c.tls()).isNull();
        assertThat(c.adminTls()).isNull();
        assertThat(c.http2()).isFalse();
    }

    @Test
    void aListenerHasItsCertificatesPortVersionAndClientCa() throws Exception {
        GatewayConfig c = load("http2: true\ntls: {port: 9443, certificates: [{cert: a.crt, key: a.key}], min_version: '1.3', client_ca: ca.pem}\n"
                + "admin: {secret: s, tls: {certificates: [{cert_file: a.crt, key_file: a.key}]}}\n");
        assertThat(c.http2()).isTrue();
        assertThat(c.tls().port()).isEqualTo(9443);
        assertThat(c.tls().certificates()).containsExactly(new TlsConfig.CertificateFiles(dir.resolve("a.crt"), dir.resolve("a.key")));
        assertThat(c.tls().minVersion()).isEqualTo("TLSv1.3");
        assertThat(c.tls().clientCa()).isEqualTo(dir.resolve("ca.pem"));
        assertThat(c.adminTls().port()).as("the admin port itself").isEqualTo(8081);
        assertThat(c.adminTls().minVersion()).isEqualTo("TLSv1.2");
    }

    @Test
    void listenerMistakesAreNamed() {
        assertThat(errors("tls: {certificates: []}\n")).containsExactly(
                "tls.certificates: must list at least one certificate, e.g. [{cert: server.crt, key: server.key}] (PEM files)");
        assertThat(errors("tls: {certificates: [{cert: a.crt, key: missing.key}], min_version: TLSv1.0, ciphers: [NOPE], tyop: 1}\n"))
                .containsExactlyInAnyOrder(
                        "tls.certificates[0].key: \"missing.key\": no such readable file (" + dir.resolve("missing.key") + ")",
                        "tls.min_version: \"TLSv1.0\" is not a supported TLS version: \"TLSv1.2\" or \"TLSv1.3\" (also 1.2, 1.3, or Tyk's 771, 772)",
                        "tls.ciphers[0]: \"NOPE\" is not a cipher suite this JDK supports",
                        "tls.tyop: unknown key (known here: certificates, ciphers, client_ca, min_version, port)");
        assertThat(errors("listen_port: 8443\ntls: {port: 8443, certificates: [{cert: a.crt, key: a.key}]}\n"))
                .containsExactly("tls.port: 8443 is also listen_port; the HTTPS listener needs its own port");
    }

    private static ApiDefinition api(String fields) throws Exception {
        ConfigErrors errors = new ConfigErrors();
        ApiDefinition api = ApiDefinitions.parse(new Node(YAML.readTree("{api_id: t, listen_path: /t/, target_url: 'https://u.example', " + fields + "}"), "", errors));
        if (api == null) throw new ConfigException("api", errors.list());
        return api;
    }

    @Test
    void upstreamTlsVerifiesByDefaultAndTakesTykNames() throws Exception {
        assertThat(api("auth: none").upstreamTls()).isEqualTo(UpstreamTlsConfig.DEFAULT);
        UpstreamTlsConfig tyk = api("auth: none, proxy: {transport: {ssl_insecure_skip_verify: true, ssl_min_version: 772, "
                + "ssl_ciphers: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]}}").upstreamTls();
        assertThat(tyk.insecureSkipVerify()).isTrue();
        assertThat(tyk.minVersion()).isEqualTo("TLSv1.3");
        assertThat(tyk.ciphers()).containsExactly("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        String ca = dir.resolve("ca.pem").toString();
        UpstreamTlsConfig own = api("auth: none, upstream_tls: {ca: '" + ca + "', server_name: api.internal.example}").upstreamTls();
        assertThat(own.ca()).isEqualTo(dir.resolve("ca.pem"));
        assertThat(own.serverName()).isEqualTo("api.internal.example");
        assertThat(own.insecureSkipVerify()).isFalse();
    }

    @Test
    void upstreamTlsMistakesAreNamed() {
        assertThatThrownBy(() -> api("auth: none, upstream_tls: {client_cert: '" + dir.resolve("a.crt") + "', server_name: 10.0.0.1, verify: no}"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactlyInAnyOrder(
                        "upstream_tls.client_key: is required with client_cert (the client certificate and its key)",
                        "upstream_tls.server_name: \"10.0.0.1\" is not a host name (SNI carries DNS names, e.g. \"api.internal.example\")",
                        "upstream_tls.verify: unknown key (known here: ca, ciphers, client_cert, client_key, http2, insecure_skip_verify, min_version, server_name)"));
    }

    @Test
    void mtlsAuthIsPolygatesOwnOrTyksFlags() throws Exception {
        assertThat(api("auth: mtls").auth().type()).isEqualTo(AuthType.MTLS);
        assertThat(api("auth: mtls").clientCertificates()).isEmpty();
        ApiDefinition tyk = api("use_keyless: true, use_mutual_tls_auth: true, client_certificates: ['5e8f1a" + FINGERPRINT.toUpperCase() + "']");
        assertThat(tyk.auth().type()).isEqualTo(AuthType.MTLS);
        assertThat(tyk.clientCertificates()).as("Tyk's org prefix dropped, lower case").containsExactly(FINGERPRINT);
        assertThat(api("auth: {use_certificate: true}").auth().type()).isEqualTo(AuthType.MTLS);
        assertThatThrownBy(() -> api("use_mutual_tls_auth: true, enable_coprocess_auth: true, custom_middleware_bundle: b"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("use_mutual_tls_auth: client certificate auth together with plugin auth");
        assertThatThrownBy(() -> api("auth: mtls, client_certificates: [nope]"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("client_certificates[0]: \"nope\" is not a SHA-256 fingerprint");
    }
}
