package io.polygate.limit;

import io.polygate.chain.Exchange;
import io.polygate.config.IdentifierSyntax;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a counter is keyed by, from an expression: parts joined by {@code |}, each one of
 * {@code $headers.NAME}, {@code $pathParams.NAME}, {@code $authn.CLAIM} (what the auth step put in
 * the exchange metadata, else the session metadata), {@code $tyk_meta.FIELD} (the session's
 * {@code meta_data}), {@code $ip} (the client address), or literal text. Parts that resolve to
 * nothing are left out; when all do, {@link #resolve} returns null and the caller falls back to
 * the credential. Immutable and thread-safe.
 */
public final class Identifier {
    private enum Kind { HEADER, PATH_PARAM, AUTHN, META, IP, LITERAL }

    private record Part(Kind kind, String name) {}

    private final String expression;
    private final Part[] parts;

    private Identifier(String expression, Part[] parts) {
        this.expression = expression;
        this.parts = parts;
    }

    /** Parses an expression already checked with {@link IdentifierSyntax#problem}. */
    public static Identifier parse(String expression) {
        String problem = IdentifierSyntax.problem(expression);
        if (problem != null) throw new IllegalArgumentException(problem);
        List<Part> parts = new ArrayList<>();
        for (String raw : expression.split("\\|")) {
            String p = raw.trim();
            if (p.equals("$ip")) parts.add(new Part(Kind.IP, null));
            else if (p.startsWith("$headers.")) parts.add(new Part(Kind.HEADER, p.substring(9)));
            else if (p.startsWith("$pathParams.")) parts.add(new Part(Kind.PATH_PARAM, p.substring(12)));
            else if (p.startsWith("$authn.")) parts.add(new Part(Kind.AUTHN, p.substring(7)));
            else if (p.startsWith("$tyk_meta.")) parts.add(new Part(Kind.META, p.substring(10)));
            else parts.add(new Part(Kind.LITERAL, p));
        }
        return new Identifier(expression, parts.toArray(Part[]::new));
    }

    /**
     * The counter key for this request, or null when every part is empty.
     *
     * @param pathParams the matched endpoint's {@code {name}} values, or null
     * @param meta       the key's metadata with its policies' applied ({@code $tyk_meta}), or null
     */
    public String resolve(Exchange exchange, Map<String, String> pathParams, Map<String, Object> meta) {
        StringBuilder b = null;
        boolean any = false;
        for (Part p : parts) {
            String v = switch (p.kind) {
                case HEADER -> exchange.headers().get(p.name);
                case PATH_PARAM -> pathParams == null ? null : pathParams.get(p.name);
                case AUTHN -> authn(exchange, p.name, meta);
                case META -> meta(meta, p.name);
                case IP -> exchange.clientAddress();
                case LITERAL -> p.name;
            };
            if (v == null || v.isEmpty()) continue;
            if (p.kind != Kind.LITERAL) any = true;
            if (b == null) b = new StringBuilder(v.length() + 16);
            else b.append('|');
            b.append(v);
        }
        return any ? b.toString() : null;
    }

    private static String authn(Exchange exchange, String claim, Map<String, Object> meta) {
        Object v = exchange.hasMetadata() ? exchange.metadata().get(claim) : null;
        if (v == null) return meta(meta, claim);
        return v.toString();
    }

    private static String meta(Map<String, Object> meta, String field) {
        if (meta == null) return null;
        Object v = meta.get(field);
        return v == null ? null : v.toString();
    }

    @Override public String toString() { return expression; }
}
