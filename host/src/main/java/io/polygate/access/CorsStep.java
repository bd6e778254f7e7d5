package io.polygate.access;

import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.chain.Phase;
import io.polygate.chain.Step;
import io.polygate.config.CorsSpec;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;

/**
 * An API's CORS, as Tyk's {@code CORS} object: a preflight ({@code OPTIONS} with {@code Origin} and
 * {@code Access-Control-Request-Method}) is answered by the gateway, 204 with the allow headers when
 * origin, method and headers are allowed, else 403 JSON naming what is not (a browser refuses the
 * call either way; the body tells the developer why); with {@code options_passthrough} it goes on
 * through the chain to the upstream instead. Any other request from an allowed origin gets
 * {@code Access-Control-Allow-Origin} (and credentials and exposed headers) on whatever answer it
 * gets, errors included; a request from another origin is served without them. Never blocks.
 */
public final class CorsStep implements Step {
    private final CorsSpec spec;
    private final boolean anyOrigin;
    private final boolean anyHeader;
    private final Set<String> methods = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    private final Set<String> headers = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    private final String exposed;

    public CorsStep(CorsSpec spec) {
        this.spec = spec;
        this.anyOrigin = spec.allowedOrigins().contains("*");
        this.anyHeader = spec.allowedHeaders().contains("*");
        methods.addAll(spec.allowedMethods());
        headers.addAll(spec.allowedHeaders());
        this.exposed = spec.exposedHeaders().isEmpty() ? null : String.join(", ", spec.exposedHeaders());
    }

    @Override public String name() { return "cors"; }
    @Override public Phase phase() { return Phase.ACCESS; }
    @Override public boolean mayBlock() { return false; }

    @Override
    public Outcome apply(Exchange exchange) {
        HttpFields request = exchange.clientRequest().getHeaders();
        String origin = request.get(HttpHeader.ORIGIN);
        if (origin == null) return Outcome.CONTINUE;
        String requestedMethod = request.get(HttpHeader.ACCESS_CONTROL_REQUEST_METHOD);
        boolean preflight = HttpMethod.OPTIONS.is(exchange.clientRequest().getMethod()) && requestedMethod != null;
        if (!preflight || spec.optionsPassthrough()) {
            if (originAllowed(origin)) allowOrigin(exchange.responseHeaders(), origin);
            return Outcome.CONTINUE;
        }
        if (!originAllowed(origin)) return Outcome.error(403, "CORS preflight refused: origin " + origin + " is not allowed");
        if (!methods.contains(requestedMethod) && !HttpMethod.OPTIONS.is(requestedMethod))
            return Outcome.error(403, "CORS preflight refused: method " + requestedMethod + " is not allowed");
        List<String> requestedHeaders = request.getCSV(HttpHeader.ACCESS_CONTROL_REQUEST_HEADERS, false);
        if (!anyHeader)
            for (String h : requestedHeaders)
                if (!headers.contains(h)) return Outcome.error(403, "CORS preflight refused: header " + h + " is not allowed");
        HttpFields.Mutable answer = HttpFields.build();
        allowOrigin(answer, origin);
        answer.add(HttpHeader.VARY, "Access-Control-Request-Method, Access-Control-Request-Headers");
        answer.put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, requestedMethod.toUpperCase(Locale.ROOT));
        if (!requestedHeaders.isEmpty()) answer.put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, String.join(", ", requestedHeaders));
        if (spec.maxAgeSeconds() > 0) answer.put(HttpHeader.ACCESS_CONTROL_MAX_AGE, spec.maxAgeSeconds());
        return new Outcome.Respond(204, answer, null, new byte[0]);
    }

    private void allowOrigin(HttpFields.Mutable headers, String origin) {
        // "*" is only an answer for calls without credentials; with them the origin itself is named
        headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, anyOrigin && !spec.allowCredentials() ? "*" : origin);
        headers.add(HttpHeader.VARY, "Origin");
        if (spec.allowCredentials()) headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        if (exposed != null) headers.put(HttpHeader.ACCESS_CONTROL_EXPOSE_HEADERS, exposed);
    }

    private boolean originAllowed(String origin) {
        if (anyOrigin) return true;
        for (String allowed : spec.allowedOrigins()) if (matches(allowed, origin)) return true;
        return false;
    }

    /** {@code pattern} is an origin, or one with a single {@code *} standing for any run of characters. */
    static boolean matches(String pattern, String origin) {
        int star = pattern.indexOf('*');
        if (star < 0) return pattern.equalsIgnoreCase(origin);
        String prefix = pattern.substring(0, star);
        String suffix = pattern.substring(star + 1);
        return origin.length() >= prefix.length() + suffix.length()
                && origin.regionMatches(true, 0, prefix, 0, prefix.length())
                && origin.regionMatches(true, origin.length() - suffix.length(), suffix, 0, suffix.length());
    }
}
