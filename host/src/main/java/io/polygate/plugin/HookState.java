package io.polygate.plugin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.session.Session;
import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.observability.JsonErrors;
import io.polygate.proxy.BufferedBody;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.UrlEncoded;

/**
 * Applies what a hook recorded in its {@link HookCall} (headers, params, url, method, body,
 * session, metadata) to the exchange; {@code return_overrides} become an {@link Outcome.Respond}.
 * Also the request helpers hooks share: the body buffered once, query params, canonical names.
 */
public final class HookState {
    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, true);
    /** Request bodies up to this size are given to hooks; bigger ones stream untouched. */
    public static final int MAX_HOOK_BODY = 1 << 20;

    private HookState() {}

    /** The request body for hooks, read once and kept for the upstream; empty if absent or too big. */
    public static byte[] body(Exchange exchange) {
        byte[] buffered = BufferedBody.get(exchange.clientRequest());
        if (buffered != null) return buffered;
        long length = exchange.clientRequest().getLength();
        if (length <= 0 || length > MAX_HOOK_BODY) return new byte[0];
        ByteBuffer buf;
        try {
            buf = Content.Source.asByteBuffer(exchange.clientRequest());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("reading the request body: " + e.getMessage(), e);
        }
        byte[] bytes = new byte[buf.remaining()];
        buf.get(bytes);
        BufferedBody.set(exchange.clientRequest(), bytes);
        return bytes;
    }

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

    /**
     * Applies what a request hook changed to the exchange, in Tyk's order: the headers map, then
     * {@code delete_headers}, then {@code set_headers}; url, params, method, body, metadata.
     *
     * @return the answer the hook asked for with {@code return_overrides}, or null to go on
     */
    public static Outcome.Respond applyRequest(HookCall call, Exchange exchange) {
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
        if (call.replacedParams != null || !call.addParams.isEmpty() || !call.deleteParams.isEmpty()) {
            Map<String, String> p = new LinkedHashMap<>(call.replacedParams != null ? call.replacedParams : params(exchange.query()));
            p.putAll(call.addParams);
            for (String d : call.deleteParams) p.remove(d);
            StringBuilder sb = new StringBuilder();
            p.forEach((k, v) -> {
                if (!sb.isEmpty()) sb.append('&');
                sb.append(UrlEncoded.encodeString(k)).append('=').append(UrlEncoded.encodeString(v));
            });
            exchange.query(sb.isEmpty() ? null : sb.toString());
        }
        if (call.method != null && !call.method.isEmpty() && !call.method.equalsIgnoreCase(exchange.method()))
            exchange.method(call.method.toUpperCase(Locale.ROOT));

        if (call.body != null) {
            BufferedBody.set(exchange.clientRequest(), call.body);
            HttpFields.Mutable mh = exchange.mutableHeaders();
            mh.remove(HttpHeader.TRANSFER_ENCODING);
            mh.put(HttpHeader.CONTENT_LENGTH, call.body.length);
        }
        if (call.metadata != null) {
            Map<String, Object> m = exchange.metadata();
            m.clear();
            m.putAll(call.metadata);
        }
        return null;
    }

    /**
     * Applies what a response hook changed to the client response held back for the hooks.
     *
     * @return the response body after the hook
     */
    static byte[] applyResponse(HookCall call, Response client, byte[] body) {
        if (call.responseStatus >= 100 && call.responseStatus <= 599) client.setStatus(call.responseStatus);
        Map<String, String> replaced = call.responseHeaders;
        if (replaced != null) {
            if (!replaced.equals(call.canonicalResponseHeaders()))
                replaceHeaders(client.getHeaders(), call.canonicalResponseHeaders(), replaced);
        }
        return call.responseBody != null ? call.responseBody : body;
    }

    /** A hook's new headers map over the one it was shown: names it dropped are removed, changed values put. */
    private static void replaceHeaders(HttpFields.Mutable h, Map<String, String> shown, Map<String, String> replaced) {
        for (String n : shown.keySet()) if (!replaced.containsKey(n)) h.remove(n);
        for (Map.Entry<String, String> e : replaced.entrySet())
            if (!e.getValue().equals(shown.get(e.getKey()))) h.put(e.getKey(), e.getValue());
    }

    /** {@code return_overrides} with a code: the body is response_body as is, else response_error as a JSON error. */
    static Outcome.Respond overrides(HookCall.Overrides ro) {
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
        if (error.isEmpty()) error = org.eclipse.jetty.http.HttpStatus.getMessage(ro.code());
        return new Outcome.Respond(ro.code(), headers, contentType != null ? contentType : JsonErrors.CONTENT_TYPE, JsonErrors.body(ro.code(), error, null));
    }

    private static boolean looksLikeJson(String s) {
        String t = s.trim();
        return t.startsWith("{") || t.startsWith("[");
    }

    /** The session after a request hook, or null when the hook left it as it was. */
    public static Session changedSession(HookCall call) {
        if (call.sessionJson == null) return null;
        JsonNode s = read(call.sessionJson);
        if (!s.isObject()) return null;
        Session before = call.input().session();
        JsonNode old = before == null ? JSON.createObjectNode() : JSON.valueToTree(before);
        if (sameSession(old, s)) return null;
        return toSession(s);
    }

    /** The session an auth_check hook built (defaults when it sent none). */
    public static Session builtSession(HookCall call) {
        return call.sessionJson == null ? new Session() : toSession(read(call.sessionJson));
    }

    /** The session a hook built; fields the hook set in Python as floats become numbers of the right kind. */
    public static Session toSession(JsonNode s) {
        try {
            ObjectNode copy = ((ObjectNode) s).deepCopy();
            if (copy.has("metadata") && !copy.has("meta_data")) copy.set("meta_data", copy.remove("metadata"));
            return JSON.treeToValue(copy, Session.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the session the hook returned is not valid: " + e.getOriginalMessage(), e);
        }
    }

    private static boolean sameSession(JsonNode a, JsonNode b) {
        for (Iterator<Map.Entry<String, JsonNode>> it = b.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode o = a.get(e.getKey());
            JsonNode v = e.getValue();
            if (o == null) {
                if (isDefault(v)) continue;
                return false;
            }
            if (o.isNumber() && v.isNumber()) {
                if (o.asDouble() != v.asDouble()) return false;
            } else if (!o.equals(v)) {
                return false;
            }
        }
        return true;
    }

    static boolean isDefault(JsonNode v) {
        return v.isNull() || (v.isNumber() && (v.asDouble() == 0 || v.asDouble() == -1)) || (v.isBoolean() && !v.asBoolean())
                || (v.isTextual() && v.asText().isEmpty()) || (v.isContainerNode() && v.isEmpty());
    }

    public static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a hook returned a state that is not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
