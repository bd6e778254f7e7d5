package io.polygate.auth;

import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;

/**
 * {@code auth: mtls}: the client certificate of the TLS connection authenticates the request. The
 * TLS listener already checked it is signed by {@code tls.client_ca}; its SHA-256 fingerprint
 * (lower-case hex of the DER encoding) then decides. With {@code client_certificates} listed
 * (Tyk's {@code use_mutual_tls_auth}), the fingerprint must be one of them; without, the
 * fingerprint is the key (Tyk's certificate auth): its session must exist and grant the API, and
 * the key's limits apply. No certificate (a plain connection, or a client that sent none): 401;
 * a certificate not allowed: 403.
 */
public final class MtlsAuthStep implements AuthMethod {
    public static final String MISSING = "Client TLS certificate is required";

    private final Set<String> allowed;
    private final KeyAuthStep keys;

    /**
     * @param allowed the fingerprints allowed, or empty: the fingerprint is looked up as a key by {@code keys}
     * @param keys    the API's key lookup (its header is not read)
     */
    public MtlsAuthStep(List<String> allowed, KeyAuthStep keys) {
        this.allowed = Set.copyOf(allowed);
        this.keys = keys;
    }

    @Override public String name() { return "mtls-auth"; }

    /** A key's session is read without holding the thread ({@link KeyAuthStep}). */
    @Override public boolean mayBlock() { return false; }

    @Override
    public CompletionStage<Attempt> attemptAsync(Exchange exchange) {
        X509Certificate cert = clientCertificate(exchange.clientRequest());
        if (cert == null) return AuthMethod.decided(Attempt.absent(Outcome.error(401, MISSING)));
        String fingerprint = fingerprint(cert);
        if (allowed.isEmpty()) return keys.authenticateAsync(exchange, fingerprint);
        if (allowed.contains(fingerprint)) return AuthMethod.decided(Attempt.AUTHENTICATED);
        return AuthMethod.decided(Attempt.refused(Outcome.error(403, "Certificate with SHA256 " + fingerprint + " not allowed")));
    }

    /** The leaf certificate the client presented on this request's TLS connection, or null. */
    static X509Certificate clientCertificate(Request request) {
        if (!(request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE) instanceof EndPoint.SslSessionData tls)) return null;
        X509Certificate[] chain = tls.peerCertificates();
        return chain == null || chain.length == 0 ? null : chain[0];
    }

    /** SHA-256 of the certificate's DER encoding, lower-case hex (as {@code openssl x509 -fingerprint -sha256}, without colons). */
    public static String fingerprint(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint the client certificate", e);
        }
    }
}
