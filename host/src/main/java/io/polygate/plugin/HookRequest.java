package io.polygate.plugin;

import io.polygate.chain.Exchange;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.UrlEncoded;

/** The request as hooks (and id extractors) read it: the body buffered once, query params, Go's canonical header names. */
public final class HookRequest {
    /** Request bodies up to this size are given to hooks; bigger ones stream untouched. */
    public static final int MAX_HOOK_BODY = 1 << 20;

    private HookRequest() {}

    /** The request body for hooks, read once and kept for the upstream; empty if absent or too big. */
    public static byte[] body(Exchange exchange) { return exchange.body(MAX_HOOK_BODY); }

    /** A query (or form body) decoded as UTF-8, names in order. */
    public static Map<String, String> params(String query) {
        Map<String, String> out = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) return out;
        Fields fields = new Fields(true);
        UrlEncoded.decodeUtf8To(query, fields);
        for (Fields.Field f : fields) out.put(f.getName(), f.getValue());
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
