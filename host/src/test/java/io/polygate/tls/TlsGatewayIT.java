package io.polygate.tls;

import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polygate.auth.MtlsAuthStep;
import io.polygate.testing.GatewayFixture;
import io.polygate.testing.TestCa;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS listener, HTTP/2, upstream TLS and mTLS against real sockets: one gateway with an HTTPS
 * port holding two certificates (a.test + localhost, b.test) and a client CA, HTTP/2 on; a Jetty
 * TLS upstream whose certificate (upstream.test) a private CA signed. Every certificate is made by
 * the test ({@link TestCa}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsGatewayIT {
    @TempDir static Path dir;
    static TestCa ca;
    static TestCa.Issued knownClient;
    static TestCa.Issued listedClient;
    static TestCa.Issued unknownClient;
    static Server upstream;
    static int upstreamPort;
    static GatewayFixture gw;
    /** Health checks the upstream answered: they got through TLS with the API's upstream_tls. */
    static final java.util.concurrent.atomic.AtomicInteger healthChecks = new java.util.concurrent.atomic.AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        ca = TestCa.create("Polygate Test CA");
        Path caFile = ca.writeCertificate(dir.resolve("ca.pem"));
        ca.server(dir, "a", "a.test", "localhost");
        ca.server(dir, "b", "b.test");
        knownClient = ca.client(dir, "known", "known-client");
        listedClient = ca.client(dir, "listed", "listed-client");
        unknownClient = ca.client(dir, "unknown", "unknown-client");
        TestCa.Issued gatewayClient = ca.client(dir, "gateway", "gateway");
        startUpstream(ca.server(dir, "upstream", "upstream.test"));

        Path notPem = Files.writeString(dir.resolve("not-pem.pem"), "not a certificate\n");
        Path rotatingCa = TestCa.create("Polygate Other CA").writeCertificate(dir.resolve("rotating-ca.pem"));
        String target = "\"https://127.0.0.1:" + upstreamPort + "\"";
        String tls = "{ca: \"" + caFile + "\", server_name: upstream.test";
        gw = GatewayFixture.start("""
                http2: true
                tls:
                  port: 0
                  certificates: [{cert: a.crt, key: a.key}, {cert: b.crt, key: b.key}]
                  client_ca: ca.pem
                apis:
                  - {api_id: echo, listen_path: /echo/, target_url: "echo://", auth: none}
                  - {api_id: secure, listen_path: /secure/, target_url: %1$s, auth: none, upstream_tls: %2$s}}
                  - {api_id: secure-client, listen_path: /secure-client/, target_url: %1$s, auth: none,
                     upstream_tls: %2$s, client_cert: "%3$s", client_key: "%4$s"}}
                  - {api_id: untrusted, listen_path: /untrusted/, target_url: %1$s, auth: none}
                  - {api_id: wrong-name, listen_path: /wrong-name/, target_url: %1$s, auth: none, upstream_tls: {ca: "%5$s", server_name: other.test}}
                  - {api_id: secure-h2, listen_path: /secure-h2/, target_url: %1$s, auth: none, upstream_tls: %2$s, http2: true}}
                  - {api_id: balanced, listen_path: /balanced/, auth: none, upstream_tls: %2$s},
                     upstream: {targets: [%1$s, "https://localhost:%8$s"], health_check: {path: /health, interval: 100ms, unhealthy_after: 1}}}
                  - {api_id: broken-ca, listen_path: /broken-ca/, target_url: %1$s, auth: none, upstream_tls: {ca: "%7$s"}}
                  - {api_id: rotating, listen_path: /rotating/, target_url: %1$s, auth: none, upstream_tls: {ca: "%9$s", server_name: upstream.test}}
                  - {api_id: skip, listen_path: /skip/, target_url: %1$s, auth: none, proxy: {transport: {ssl_insecure_skip_verify: true}}}
                  - {api_id: mtls, listen_path: /mtls/, target_url: "echo://", auth: mtls}
                  - {api_id: mtls-list, listen_path: /mtls-list/, target_url: "echo://", use_keyless: true, use_mutual_tls_auth: true,
                     client_certificates: ["%6$s"]}
                """.formatted(target, tls, gatewayClient.cert(), gatewayClient.key(), caFile,
                MtlsAuthStep.fingerprint(listedClient.certificate()), notPem, upstreamPort, rotatingCa), dir);
    }

    /**
     * A TLS upstream offering HTTP/2 and HTTP/1.1 by ALPN: answers 200 "client=CN=..." naming the
     * client certificate it got, or "client=none", and the protocol in X-Upstream-Protocol.
     */
    static void startUpstream(TestCa.Issued cert) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("upstream", cert.keys().getPrivate(), "x".toCharArray(), new X509Certificate[] {cert.certificate(), ca.certificate()});
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(keys);
        ssl.setKeyStorePassword("x");
        ssl.setTrustStore(trust);
        ssl.setWantClientAuth(true);
        HttpConfiguration http = new HttpConfiguration();
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false);
        http.addCustomizer(secure);
        upstream = new Server();
        org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory alpn = new org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory("h2", "http/1.1");
        alpn.setDefaultProtocol("http/1.1");
        ServerConnector connector = new ServerConnector(upstream, new SslConnectionFactory(ssl, alpn.getProtocol()), alpn,
                new org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory(http), new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        upstream.addConnector(connector);
        upstream.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String client = "none";
                if (request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE) instanceof EndPoint.SslSessionData s && s.peerCertificates() != null)
                    client = s.peerCertificates()[0].getSubjectX500Principal().getName();
                response.getHeaders().put("X-Upstream-Protocol", request.getConnectionMetaData().getProtocol());
                if (request.getHttpURI().getPath().equals("/health")) healthChecks.incrementAndGet();
                Content.Sink.write(response, true, "client=" + client, callback);
                return true;
            }
        });
        upstream.start();
        upstreamPort = connector.getLocalPort();
    }

    @AfterAll
    static void stop() throws Exception {
        if (gw != null) gw.close();
        if (upstream != null) upstream.stop();
    }

    // ------------------------------------------------------------------ listener, SNI, reload

    @Test
    void sniPicksTheCertificateNamingTheHostAndTheFirstServesTheRest() throws Exception {
        assertThat(dnsNames(served("b.test"))).contains("b.test");
        assertThat(dnsNames(served("a.test"))).contains("a.test");
        assertThat(dnsNames(served(null))).as("no SNI").contains("a.test");
        assertThat(dnsNames(served("nobody.test"))).as("an unknown name").contains("a.test");
    }

    @Test
    void aCertificateFileReplacedWhileRunningIsServedWithoutARestart() throws Exception {
        Path renewDir = Files.createDirectories(dir.resolve("renew"));
        TestCa.Issued renewed = ca.server(renewDir, "b", "b.test", "renewed.b.test");
        // as a renewal tool does: the new files moved over the old ones, certificate first
        Files.move(renewed.cert(), dir.resolve("b.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(renewed.key(), dir.resolve("b.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        X509Certificate now = served("b.test");
        while (!now.getSerialNumber().equals(renewed.certificate().getSerialNumber()) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            now = served("b.test");
        }
        assertThat(now.getSerialNumber()).as("the renewed certificate is served").isEqualTo(renewed.certificate().getSerialNumber());
        assertThat(dnsNames(served("a.test"))).as("the other certificate still served").contains("a.test");
    }

    @Test
    void http1OverTlsAndOnThePlainPortStillWork() throws Exception {
        HttpResponse<String> tls = javaClient(ca.clientContext(null), java.net.http.HttpClient.Version.HTTP_1_1).send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + gw.gateway().tlsPort() + "/echo/x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(tls.statusCode()).isEqualTo(200);
        assertThat(tls.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_1_1);
        assertThat(gw.get("/echo/x").statusCode()).isEqualTo(200);
    }

    @Test
    void http2OverTlsIsChosenByAlpn() throws Exception {
        assertEchoedOverHttp2("https://localhost:" + gw.gateway().tlsPort() + "/echo/over-h2", "/over-h2");
    }

    @Test
    void h2cOnThePlainPort() throws Exception {
        assertEchoedOverHttp2("http://127.0.0.1:" + gw.gateway().port() + "/echo/over-h2c", "/over-h2c");
    }

    /** Jetty's HTTP/2 client (TLS with ALPN for https, prior knowledge for http) gets the echo of {@code path} over HTTP/2. */
    static void assertEchoedOverHttp2(String url, String path) throws Exception {
        try (HttpClient h2 = http2Client()) {
            ContentResponse r = h2.newRequest(url).timeout(20, TimeUnit.SECONDS).send();
            assertThat(r.getStatus()).isEqualTo(200);
            assertThat(r.getVersion()).isEqualTo(HttpVersion.HTTP_2);
            assertThat(GatewayFixture.JSON.readTree(r.getContentAsString()).path("path").asText()).isEqualTo(path);
        }
    }

    // ------------------------------------------------------------------ upstream TLS

    @Test
    void anUpstreamSignedByThePrivateCaIsReachedUnderItsServerName() throws Exception {
        HttpResponse<String> r = gw.get("/secure/x");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("client=none");
        assertThat(r.headers().firstValue("X-Upstream-Protocol")).as("HTTP/1.1 unless asked").hasValue("HTTP/1.1");
    }

    @Test
    void balancedHttpsTargetsAndTheirHealthChecksUseTheApisUpstreamTls() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (healthChecks.get() < 4 && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(healthChecks.get()).as("health checks reached the upstream over TLS").isGreaterThanOrEqualTo(4);
        for (int i = 0; i < 4; i++) { // both targets, round robin; one failed health check would take a target out
            HttpResponse<String> r = gw.get("/balanced/x" + i);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
    }

    @Test
    void upstreamTlsHttp2SpeaksHttp2ToAnUpstreamOfferingIt() throws Exception {
        for (int i = 0; i < 3; i++) { // a kept stream-multiplexed connection serves the next ones
            HttpResponse<String> r = gw.get("/secure-h2/x" + i);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("X-Upstream-Protocol")).hasValue("HTTP/2.0");
        }
    }

    @Test
    void theGatewayPresentsItsClientCertificateToTheUpstream() throws Exception {
        HttpResponse<String> r = gw.get("/secure-client/x");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("client=CN=gateway");
    }

    @Test
    void anUpstreamCertificateNotTrustedIsA502NamingTheProblem() throws Exception {
        HttpResponse<String> r = gw.get("/untrusted/x");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(json(r).path("status").asInt()).isEqualTo(502);
        assertThat(json(r).path("error").asText()).startsWith("upstream TLS certificate refused").contains("certification path");
    }

    @Test
    void anUpstreamCaFileReplacedWhileRunningIsUsedWithoutARestart() throws Exception {
        HttpResponse<String> before = gw.get("/rotating/x");
        assertThat(before.statusCode()).as("another CA's certificate: the upstream is not trusted").isEqualTo(502);
        Thread.sleep(1500); // the file watch has taken its first look
        Path replacement = ca.writeCertificate(dir.resolve("rotating-ca.new"));
        Files.move(replacement, dir.resolve("rotating-ca.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        HttpResponse<String> after = gw.get("/rotating/x");
        while (after.statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            after = gw.get("/rotating/x");
        }
        assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
        assertThat(after.body()).isEqualTo("client=none");
    }

    @Test
    void anUpstreamCertificateForAnotherNameIsA502() throws Exception {
        HttpResponse<String> r = gw.get("/wrong-name/x");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(json(r).path("error").asText()).startsWith("upstream TLS certificate refused").contains("No subject alternative names");
    }

    @Test
    void anUpstreamCaFileThatIsNotPemLeavesTheApiAnswering503NamingIt() throws Exception {
        HttpResponse<String> r = gw.get("/broken-ca/x");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(json(r).path("error").asText()).isEqualTo("upstream_tls: " + dir.resolve("not-pem.pem")
                + ": holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        assertThat(gw.get("/secure/x").statusCode()).as("the other APIs serve").isEqualTo(200);
    }

    @Test
    void tykSslInsecureSkipVerifyAcceptsAnyUpstreamCertificate() throws Exception {
        HttpResponse<String> r = gw.get("/skip/x");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ mTLS

    @Test
    void theFingerprintOfAKnownClientCertificateIsItsKey() throws Exception {
        String fingerprint = MtlsAuthStep.fingerprint(knownClient.certificate());
        assertThat(gw.admin("POST", "/keys/" + fingerprint, "{\"access_rights\": {\"mtls\": {}}}").statusCode()).isEqualTo(201);
        assertThat(mtls(knownClient, "/mtls/x").statusCode()).isEqualTo(200);

        HttpResponse<String> unknown = mtls(unknownClient, "/mtls/x");
        assertThat(unknown.statusCode()).isEqualTo(403);
        assertThat(json(unknown).path("error").asText()).isNotEmpty();
        HttpResponse<String> none = mtls(null, "/mtls/x");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(json(none).path("error").asText()).isEqualTo(MtlsAuthStep.MISSING);
        assertThat(gw.get("/mtls/x").statusCode()).as("plain HTTP has no certificate").isEqualTo(401);
    }

    @Test
    void tykClientCertificatesListTheFingerprintsAllowed() throws Exception {
        assertThat(mtls(listedClient, "/mtls-list/x").statusCode()).isEqualTo(200);
        HttpResponse<String> other = mtls(knownClient, "/mtls-list/x");
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(json(other).path("error").asText()).isEqualTo("Certificate with SHA256 "
                + MtlsAuthStep.fingerprint(knownClient.certificate()) + " not allowed");
    }

    @Test
    void aClientCertificateOfAnotherCaFailsTheHandshake() throws Exception {
        TestCa other = TestCa.create("Another CA");
        TestCa.Issued stranger = other.client(Files.createDirectories(dir.resolve("stranger")), "stranger", "stranger");
        // trusts the gateway (ca), presents the stranger's certificate although the gateway asks for certificates of ca
        SSLContext strangerContext = contextTrustingCaPresenting(stranger);
        assertThatThrownBy(() -> send(strangerContext, "/echo/x")).isInstanceOf(IOException.class);
    }

    // ------------------------------------------------------------------ admin.tls

    @Test
    void adminTlsServesTheAdminApiOverHttpsOnly() throws Exception {
        try (GatewayFixture adminTls = GatewayFixture.start("admin: {tls: {certificates: [{cert: a.crt, key: a.key}], min_version: TLSv1.3}}", dir)) {
            URI https = URI.create("https://localhost:" + adminTls.gateway().adminPort() + "/apis");
            HttpResponse<String> r = javaClient(ca.clientContext(null), java.net.http.HttpClient.Version.HTTP_1_1).send(HttpRequest.newBuilder(https)
                    .header("X-Polygate-Secret", GatewayFixture.SECRET).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> adminTls.admin("GET", "/apis", null)).as("plain HTTP").isInstanceOf(IOException.class);
        }
    }

    // ------------------------------------------------------------------ clients

    /** The certificate the TLS port serves to a client sending {@code sni} (null: none). */
    static X509Certificate served(String sni) throws Exception {
        try (SSLSocket s = (SSLSocket) ca.clientContext(null).getSocketFactory().createSocket("127.0.0.1", gw.gateway().tlsPort())) {
            s.setSoTimeout(10_000);
            SSLParameters p = s.getSSLParameters();
            if (sni != null) p.setServerNames(List.of(new SNIHostName(sni)));
            s.setSSLParameters(p);
            s.startHandshake();
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }

    static List<String> dnsNames(X509Certificate cert) throws Exception {
        return cert.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList();
    }

    static HttpClient http2Client() throws Exception {
        ClientConnector connector = new ClientConnector();
        SslContextFactory.Client ssl = new SslContextFactory.Client();
        ssl.setSslContext(ca.clientContext(null));
        connector.setSslContextFactory(ssl);
        HttpClient client = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client(connector)));
        client.start();
        return client;
    }

    static java.net.http.HttpClient javaClient(SSLContext context, java.net.http.HttpClient.Version version) {
        return java.net.http.HttpClient.newBuilder().sslContext(context).version(version).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** GET over HTTPS presenting {@code clientCert} (null: none). */
    static HttpResponse<String> mtls(TestCa.Issued clientCert, String path) throws Exception {
        return send(ca.clientContext(clientCert), path);
    }

    static HttpResponse<String> send(SSLContext context, String path) throws Exception {
        return javaClient(context, java.net.http.HttpClient.Version.HTTP_2).send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + gw.gateway().tlsPort() + path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /**
     * Trusts {@link #ca} (the gateway's server certificates) and presents {@code client} of another
     * CA whatever the CAs the server names (the JDK's own key manager would send no certificate).
     */
    static SSLContext contextTrustingCaPresenting(TestCa.Issued client) throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setKeyEntry("client", client.keys().getPrivate(), "x".toCharArray(), new X509Certificate[] {client.certificate()});
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, "x".toCharArray());
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext c = SSLContext.getInstance("TLS");
        javax.net.ssl.X509ExtendedKeyManager keys = (javax.net.ssl.X509ExtendedKeyManager) kmf.getKeyManagers()[0];
        javax.net.ssl.X509ExtendedKeyManager always = new javax.net.ssl.X509ExtendedKeyManager() {
            @Override public String[] getClientAliases(String type, java.security.Principal[] issuers) { return new String[] {"client"}; }
            @Override public String chooseClientAlias(String[] type, java.security.Principal[] issuers, java.net.Socket s) { return "client"; }
            @Override public String chooseEngineClientAlias(String[] type, java.security.Principal[] issuers, javax.net.ssl.SSLEngine e) { return "client"; }
            @Override public String[] getServerAliases(String type, java.security.Principal[] issuers) { return null; }
            @Override public String chooseServerAlias(String type, java.security.Principal[] issuers, java.net.Socket s) { return null; }
            @Override public X509Certificate[] getCertificateChain(String alias) { return keys.getCertificateChain(alias); }
            @Override public java.security.PrivateKey getPrivateKey(String alias) { return keys.getPrivateKey(alias); }
        };
        c.init(new javax.net.ssl.KeyManager[] {always}, tmf.getTrustManagers(), null);
        return c;
    }
}
