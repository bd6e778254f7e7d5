package io.polygate.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.GatewayFixture;
import io.polygate.testing.TestCa;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * An {@code Upgrade} to a protocol other than WebSocket, through the gateway to an upstream that
 * speaks it (a made-up {@code shout/1}: after its 101 it greets, then sends back in capitals
 * whatever it reads). The bytes go both ways as they are, including those sent right behind the
 * request and right behind the 101; one side's end of stream reaches the other; the upgrade
 * request meets the API's auth; an upstream that does not switch gives the client a 502.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpgradeTunnelIT {
    static final BlockingQueue<String> upstreamSaw = new LinkedBlockingQueue<>();
    static ServerSocket shout;
    static ServerSocket refusing;
    static ServerSocket shoutOverTls;
    static GatewayFixture gw;
    @TempDir static Path dir;

    @BeforeAll
    static void start() throws Exception {
        shout = serve(UpgradeTunnelIT::shout);
        refusing = serve(s -> {
            readHead(s.getInputStream());
            s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\n\r\nno".getBytes(StandardCharsets.ISO_8859_1));
        });
        TestCa ca = TestCa.create("upstream CA");
        shoutOverTls = serve(tlsServerSocket(ca.server(dir, "upstream", "localhost")), UpgradeTunnelIT::shout);
        Path caFile = ca.writeCertificate(dir.resolve("ca.crt"));
        gw = GatewayFixture.start("""
                apis:
                  - {api_id: shout, listen_path: /shout, target_url: "http://127.0.0.1:%d/base", auth: none}
                  - {api_id: shout-keyed, listen_path: /shout-keyed, target_url: "http://127.0.0.1:%d", auth: key}
                  - {api_id: refusing, listen_path: /refusing, target_url: "http://127.0.0.1:%d", auth: none}
                  - {api_id: shout-tls, listen_path: /shout-tls, target_url: "https://localhost:%d", auth: none, upstream_tls: {ca: "%s"}}
                """.formatted(shout.getLocalPort(), shout.getLocalPort(), refusing.getLocalPort(), shoutOverTls.getLocalPort(), caFile));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gw != null) gw.close();
        if (shout != null) shout.close();
        if (refusing != null) refusing.close();
        if (shoutOverTls != null) shoutOverTls.close();
    }

    /** A TLS server socket presenting {@code cert}. */
    static ServerSocket tlsServerSocket(TestCa.Issued cert) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", cert.keys().getPrivate(), "x".toCharArray(), new X509Certificate[] {cert.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "x".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context.getServerSocketFactory().createServerSocket(0);
    }

    interface Session { void run(Socket s) throws Exception; }

    /** A loopback server running {@code session} on each connection it accepts. */
    static ServerSocket serve(Session session) throws IOException { return serve(new ServerSocket(0), session); }

    static ServerSocket serve(ServerSocket server, Session session) {
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            session.run(s);
                        } catch (Exception ignored) {
                            // the test sees what went wrong from its side
                        }
                    });
                } catch (IOException closed) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return server;
    }

    /** The shout/1 upstream: switches, greets, then answers every byte in capitals until the end of stream, then ends its own. */
    static void shout(Socket s) throws Exception {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        String head = readHead(in);
        upstreamSaw.add(head);
        out.write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: shout/1\r\nX-Shout: ready\r\n\r\nhello\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        byte[] buf = new byte[4096];
        for (int n; (n = in.read(buf)) > 0; ) {
            out.write(new String(buf, 0, n, StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
        out.write("bye\n".getBytes(StandardCharsets.ISO_8859_1));
        s.shutdownOutput();
    }

    /** Reads up to and including the blank line that ends an HTTP head. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) break;
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    static String readExactly(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", gw.gateway().port());
        s.setSoTimeout(10_000);
        return s;
    }

    /** A connection to the gateway whose upgrade to shout/1 on {@code path} was answered 101; {@code headers}: more header lines. */
    static Socket switched(String path, String headers) throws IOException {
        Socket s = connect();
        send(s, "GET " + path + " HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: shout/1\r\n" + headers + "\r\n");
        assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 101 ");
        return s;
    }

    static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    @Test
    void bytesGoBothWaysAsTheyAreAfterTheUpstreamSwitched() throws Exception {
        upstreamSaw.clear();
        try (Socket s = connect()) {
            // the first bytes of the new protocol come right behind the request, in the same write
            send(s, "GET /shout/room?x=1 HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: shout/1\r\nX-Trace: t1\r\n\r\nearly ");
            InputStream in = s.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 101 ").containsIgnoringCase("upgrade: shout/1").contains("X-Shout: ready");
            assertThat(readExactly(in, "hello\nEARLY ".length())).isEqualTo("hello\nEARLY ");
            send(s, "quiet words");
            assertThat(readExactly(in, "QUIET WORDS".length())).isEqualTo("QUIET WORDS");
            s.shutdownOutput();
            assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)).as("the upstream's end of stream after its last bytes").isEqualTo("bye\n");
        }
        String seen = upstreamSaw.poll(5, TimeUnit.SECONDS);
        assertThat(seen).startsWith("GET /base/room?x=1 HTTP/1.1\r\n").containsIgnoringCase("upgrade: shout/1").contains("X-Trace: t1")
                .contains("Host: 127.0.0.1:" + shout.getLocalPort()).contains("X-Forwarded-For: 127.0.0.1");
    }

    @Test
    void anHttpsUpstreamIsReachedOverTlsWithTheApisCa() throws Exception {
        try (Socket s = switched("/shout-tls/x", "")) {
            send(s, "over tls");
            assertThat(readExactly(s.getInputStream(), "hello\nOVER TLS".length())).isEqualTo("hello\nOVER TLS");
        }
    }

    @Test
    void theUpgradeRequestMeetsTheApisAuth() throws Exception {
        upstreamSaw.clear();
        try (Socket s = connect()) {
            send(s, "GET /shout-keyed/x HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: shout/1\r\n\r\n");
            String head = readHead(s.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 401 ");
        }
        assertThat(upstreamSaw.poll(300, TimeUnit.MILLISECONDS)).as("nothing reached the upstream").isNull();
        gw.admin("POST", "/keys/shouter", "{\"access_rights\": {\"shout-keyed\": {}}}");
        try (Socket s = switched("/shout-keyed/x", "Authorization: shouter\r\n")) {
            send(s, "ok");
            assertThat(readExactly(s.getInputStream(), "hello\nOK".length())).isEqualTo("hello\nOK");
        }
    }

    @Test
    void anUpstreamThatDoesNotSwitchGivesA502NamingWhy() throws Exception {
        try (Socket s = connect()) {
            send(s, "GET /refusing/x HTTP/1.1\r\nHost: gw\r\nConnection: Upgrade\r\nUpgrade: shout/1\r\n\r\n");
            InputStream in = s.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 502 ");
            int length = Integer.parseInt(head.replaceAll("(?is).*content-length: *([0-9]+).*", "$1"));
            String body = readExactly(in, length);
            assertThat(GatewayFixture.JSON.readTree(body).path("error").asText()).isEqualTo("upstream refused the upgrade: it answered 400 instead of 101");
        }
    }

    @Test
    void aPlainRequestToTheSameApiIsProxiedAsUsual() throws Exception {
        // no Connection: upgrade: the Upgrade header alone is hop-by-hop and dropped, the request proxied as plain HTTP
        try (Socket s = connect()) {
            send(s, "GET /refusing/x HTTP/1.1\r\nHost: gw\r\nUpgrade: shout/1\r\n\r\n");
            assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 400 ");
        }
    }
}
