package io.polygate.plugin;

import io.polygate.chain.Exchange;
import io.polygate.chain.QueryParams;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.util.Fields;

/** The request as hooks (and id extractors) read it: the body buffered once, query params, Go's canonical header names. */
public final class HookRequest {
    /** Request bodies up to this size are given to hooks; bigger ones stream untouched. */
    public static final int MAX_HOOK_BODY = 1 << 20;

    private HookRequest() {}

    /** The request body for hooks, read once and kept for the upstream; empty if absent or too big. */
    public static byte[] body(Exchange exchange) { return exchange.body(MAX_HOOK_BODY); }

    /** A query (or form body) as {@link QueryParams} decodes it, names in order, each with its first value. */
    public static Map<String, String> params(String query) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Fields.Field f : QueryParams.decode(query)) out.put(f.getName(), f.getValue());
        return out;
    }

    /** Go's canonical header form, as Tyk hands headers to plugins: {@code x-api-key} → {@code X-Api-Key}. */
    public static String canonical(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        boolean upper = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            sb.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
            upper = c == '-';
        }
        return sb.toString();
    }
}
