package io.polygate.tls;

import java.security.Principal;
import java.util.Collection;
import javax.net.ssl.SSLSession;
import org.eclipse.jetty.util.ssl.SniX509ExtendedKeyManager;
import org.eclipse.jetty.util.ssl.X509;

/**
 * Picks the server certificate for a handshake: the first configured one whose names (SAN DNS
 * names, else the CN; wildcards as usual) match the client's SNI host name; the first configured
 * certificate when the client sends no name or one no certificate carries.
 */
final class SniCertificates implements SniX509ExtendedKeyManager.SniSelector {
    /** The alias of the {@code i}-th configured certificate; aliases sort in configuration order. */
    static String alias(int i) { return String.format("cert-%04d", i); }

    @Override
    public String sniSelect(String keyType, Principal[] issuers, SSLSession session, String host, Collection<X509> certificates) {
        // the candidates are those of the key type the handshake asks for
        X509 first = null;
        X509 match = null;
        for (X509 c : certificates) {
            if (first == null || c.getAlias().compareTo(first.getAlias()) < 0) first = c;
            if (host != null && c.matches(host) && (match == null || c.getAlias().compareTo(match.getAlias()) < 0)) match = c;
        }
        if (match != null) return match.getAlias();
        return first == null ? null : first.getAlias();
    }
}
