package io.polygate.tls;

import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.SslConnectionFactory;

/**
 * The protocol stacks of the listeners: plain HTTP/1.1 (with h2c beside it when HTTP/2 is on) and
 * TLS (HTTP/2 chosen by ALPN when on, else HTTP/1.1).
 */
public final class TlsConnectors {
    private TlsConnectors() {}

    /** HTTP/1.1, and h2c (prior knowledge or Upgrade) when {@code http2}. */
    public static ConnectionFactory[] plain(HttpConfiguration http, boolean http2) {
        HttpConnectionFactory http1 = new HttpConnectionFactory(http);
        return http2 ? new ConnectionFactory[] {http1, new HTTP2CServerConnectionFactory(http)} : new ConnectionFactory[] {http1};
    }

    /**
     * TLS with {@code certificates}, then HTTP/2 or HTTP/1.1 by ALPN ({@code http2}) or HTTP/1.1
     * alone. {@code http} is copied: requests on it are secure and carry the client certificate.
     */
    public static ConnectionFactory[] tls(HttpConfiguration http, ServerCertificates certificates, boolean http2) {
        HttpConfiguration https = new HttpConfiguration(http);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        // the certificate is picked by SNI, falling back to the first: a Host naming none of its names is still served
        secure.setSniHostCheck(false);
        https.addCustomizer(secure);
        HttpConnectionFactory http1 = new HttpConnectionFactory(https);
        if (!http2) return new ConnectionFactory[] {ssl(certificates, http1.getProtocol()), http1};
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", http1.getProtocol());
        alpn.setDefaultProtocol(http1.getProtocol());
        return new ConnectionFactory[] {ssl(certificates, alpn.getProtocol()), alpn, new HTTP2ServerConnectionFactory(https), http1};
    }

    /**
     * TLS records are encrypted into and decrypted from direct buffers: the socket reads and writes
     * them without a copy through a temporary direct buffer (bench/tls.sh: 25,000-25,800 req/s
     * against 23,400 with Jetty's default heap buffers, same minutes).
     */
    private static SslConnectionFactory ssl(ServerCertificates certificates, String next) {
        SslConnectionFactory ssl = new SslConnectionFactory(certificates.sslContextFactory(), next);
        ssl.setDirectBuffersForEncryption(true);
        ssl.setDirectBuffersForDecryption(true);
        return ssl;
    }
}
