package io.polygate.chain;

import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.UrlEncoded;

/**
 * A query string (or a form body) decoded as UTF-8, as every reader of the request sees it: hooks,
 * id extractors, the echo upstream. A pair whose percent-encoding is broken ({@code %zz}, a lone
 * {@code %}) is left out and the other pairs are read, as Go's {@code url.ParseQuery} (Tyk's)
 * leaves it out: a client's bad escape is not a gateway error. Stateless.
 */
public final class QueryParams {
    private QueryParams() {}

    /** The pairs of {@code query} (without '?'; null or empty for none), names in order, each with all its values. */
    public static Fields decode(String query) {
        Fields fields = new Fields(true);
        if (query == null || query.isEmpty()) return fields;
        for (String pair : query.split("&")) {
            try {
                UrlEncoded.decodeUtf8To(pair, fields);
            } catch (IllegalArgumentException badEscape) {
                // left out, see above
            }
        }
        return fields;
    }
}
