package io.polygate.plugin;

import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.observability.JsonErrors;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.util.UrlEncoded;

/**
 * Applies what a request hook recorded in its {@link HookCall} (headers, url, params, method, body,
 * metadata) to the exchange; {@code return_overrides} become an {@link Outcome.Respond}.
 */
public final class RequestChanges {
    private RequestChanges() {}

    /**
     * Applies what a request hook changed to the exchange, in Tyk's order: the headers map, then
     * {@code delete_headers}, then {@code set_headers}; url, params, method, body, metadata.
     *
     * @return the answer the hook asked for with {@code return_overrides}, or null to go on
     */
    public static Outcome.Respond apply(HookCall call, Exchange exchange) {
        HookCall.Overrides ro = call.overrides;
        if (ro != null && ro.code() >= 100 && ro.code() <= 599) return overrides(ro);

        HttpFields.Mutable h = null;
        if (call.replacedHeaders != null && !call.replacedHeaders.equals(call.canonicalHeaders())) {
            h = exchange.mutableHeaders();
            replaceHeaders(h, call.canonicalHeaders(), call.replacedHeaders);
        }
        for (String d : call.deleteHeaders) {
            if (h == null) h = exchange.mutableHeaders();
            h.remove(d);
        }
        for (Map.Entry<String, String> e : call.setHeaders.entrySet()) {
            if (h == null) h = exchange.mutableHeaders();
            h.put(e.getKey(), e.getValue());
        }

        if (call.url != null && !call.url.isEmpty() && !call.url.equals(call.url())) {
            int q = call.url.indexOf('?');
            exchange.upstreamPath(q < 0 ? call.url : call.url.substring(0, q));
            if (q >= 0) exchange.query(call.url.substring(q + 1));
        }
        if (call.replacedParams != null || !call.addParams.isEmpty() || !call.deleteParams.isEmpty()) applyParams(call, exchange);
        if (call.method != null && !call.method.isEmpty() && !call.method.equalsIgnoreCase(exchange.method()))
            exchange.method(call.method.toUpperCase(Locale.ROOT));

        if (call.body != null) exchange.replaceBody(call.body);
        if (call.metadata != null) {
            Map<String, Object> m = exchange.metadata();
            m.clear();
            m.putAll(call.metadata);
        }
        return null;
    }

    /** The params map the hook replaced (or the query's), then {@code add_params}, then {@code delete_params}. */
    private static void applyParams(HookCall call, Exchange exchange) {
        Map<String, String> p = new LinkedHashMap<>(call.replacedParams != null ? call.replacedParams : HookRequest.params(exchange.query()));
        p.putAll(call.addParams);
        for (String d : call.deleteParams) p.remove(d);
        StringBuilder sb = new StringBuilder();
        p.forEach((k, v) -> {
            if (!sb.isEmpty()) sb.append('&');
            sb.append(UrlEncoded.encodeString(k)).append('=').append(UrlEncoded.encodeString(v));
        });
        exchange.query(sb.isEmpty() ? null : sb.toString());
    }

    /** A hook's new headers map over the one it was shown: names it dropped are removed, changed values put. */
    static void replaceHeaders(HttpFields.Mutable h, Map<String, String> shown, Map<String, String> replaced) {
        for (String n : shown.keySet()) if (!replaced.containsKey(n)) h.remove(n);
        for (Map.Entry<String, String> e : replaced.entrySet())
            if (!e.getValue().equals(shown.get(e.getKey()))) h.put(e.getKey(), e.getValue());
    }

    /** {@code return_overrides} with a code: the body is response_body as is, else response_error as a JSON error. */
    private static Outcome.Respond overrides(HookCall.Overrides ro) {
        HttpFields.Mutable headers = HttpFields.build();
        String contentType = null;
        for (Map.Entry<String, String> e : ro.headers().entrySet()) {
            if (e.getKey().equalsIgnoreCase("Content-Type")) contentType = e.getValue();
            else if (!e.getKey().equalsIgnoreCase("Content-Length")) headers.put(e.getKey(), e.getValue());
        }
        String body = ro.body();
        if (!body.isEmpty()) {
            if (contentType == null) contentType = looksLikeJson(body) ? "application/json" : "text/plain; charset=utf-8";
            return new Outcome.Respond(ro.code(), headers, contentType, body.getBytes(StandardCharsets.UTF_8));
        }
        String error = ro.error();
        if (error.isEmpty()) error = HttpStatus.getMessage(ro.code());
        return new Outcome.Respond(ro.code(), headers, contentType != null ? contentType : JsonErrors.CONTENT_TYPE, JsonErrors.body(ro.code(), error, null));
    }

    private static boolean looksLikeJson(String s) {
        String t = s.trim();
        return t.startsWith("{") || t.startsWith("[");
    }
}
