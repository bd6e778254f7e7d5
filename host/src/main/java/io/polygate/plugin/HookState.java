package io.polygate.plugin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.auth.session.Session;
import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.config.ApiDefinition;
import io.polygate.observability.JsonErrors;
import io.polygate.proxy.BufferedBody;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.UrlEncoded;

/**
 * The JSON that crosses into a hook and back: Tyk's object model as plain data. Builds it from an
 * {@link Exchange} and applies what the hook changed (headers, params, url, method, body,
 * session, metadata) back to the exchange; {@code return_overrides} become an
 * {@link Outcome.Respond}.
 */
public final class HookState {
    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, true);
    /** Request bodies up to this size are given to hooks; bigger ones stream untouched. */
    public static final int MAX_HOOK_BODY = 1 << 20;

    private HookState() {}

    /** {@code spec}: Tyk's APIID, OrgID, config_data (a JSON string, as Tyk passes it). */
    public static ObjectNode spec(ApiDefinition api) {
        ObjectNode spec = JSON.createObjectNode();
        spec.put("APIID", api.apiId());
        spec.put("OrgID", api.source() == null ? "" : api.source().path("org_id").asText(""));
        spec.put("APIName", api.name() == null ? "" : api.name());
        JsonNode cd = api.source() == null ? null : api.source().get("config_data");
        spec.put("config_data", cd == null || cd.isNull() ? "{}" : cd.isTextual() ? cd.asText() : cd.toString());
        return spec;
    }

    /** The state of a request hook; {@code session} null gives the hook an empty session. */
    public static ObjectNode of(Exchange exchange, Session session, ObjectNode spec) {
        ObjectNode root = JSON.createObjectNode();
        root.set("request", request(exchange));
        root.set("session", session == null ? JSON.createObjectNode() : JSON.valueToTree(session));
        root.set("metadata", JSON.valueToTree(exchange.metadata()));
        root.set("spec", spec);
        return root;
    }

    static ObjectNode request(Exchange exchange) {
        ObjectNode r = JSON.createObjectNode();
        ObjectNode headers = r.putObject("headers");
        for (HttpField f : exchange.headers()) {
            String name = canonical(f.getName());
            JsonNode prev = headers.get(name);
            headers.put(name, prev == null ? f.getValue() : prev.asText() + ", " + f.getValue());
        }
        byte[] body = body(exchange);
        if (body.length > 0) {
            r.put("raw_body", Base64.getEncoder().encodeToString(body));
            r.put("body", new String(body, StandardCharsets.UTF_8));
        }
        String query = exchange.query();
        r.put("url", exchange.upstreamPath() + (query == null || query.isEmpty() ? "" : "?" + query));
        r.put("method", exchange.method());
        ObjectNode params = r.putObject("params");
        params(query).forEach(params::put);
        r.put("request_uri", exchange.clientRequest().getHttpURI().getPathQuery());
        r.put("scheme", exchange.clientRequest().isSecure() ? "https" : "http");
        r.put("client_ip", exchange.clientAddress());
        return r;
    }

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
     * Applies the request part of a hook's result to the exchange.
     *
     * @return the answer the hook asked for with {@code return_overrides}, or null to go on
     */
    public static Outcome.Respond applyRequest(JsonNode before, JsonNode after, Exchange exchange) {
        JsonNode req = after.path("request");
        JsonNode ro = req.path("return_overrides");
        int code = ro.path("response_code").asInt(0);
        if (code >= 100 && code <= 599) return overrides(ro, code);

        JsonNode oldHeaders = before.path("request").path("headers");
        JsonNode newHeaders = req.path("headers");
        HttpFields.Mutable h = null;
        if (newHeaders.isObject() && !newHeaders.equals(oldHeaders)) {
            h = exchange.mutableHeaders();
            for (Iterator<String> it = oldHeaders.fieldNames(); it.hasNext(); ) {
                String n = it.next();
                if (!newHeaders.has(n)) h.remove(n);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = newHeaders.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().equals(oldHeaders.get(e.getKey()))) h.put(e.getKey(), e.getValue().asText());
            }
        }
        for (JsonNode d : req.path("delete_headers")) {
            if (h == null) h = exchange.mutableHeaders();
            h.remove(d.asText());
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = req.path("set_headers").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (h == null) h = exchange.mutableHeaders();
            h.put(e.getKey(), e.getValue().asText());
        }

        String oldUrl = before.path("request").path("url").asText();
        String url = req.path("url").asText(oldUrl);
        if (!url.equals(oldUrl) && !url.isEmpty()) {
            int q = url.indexOf('?');
            exchange.upstreamPath(q < 0 ? url : url.substring(0, q));
            if (q >= 0) exchange.query(url.substring(q + 1));
        }
        JsonNode params = req.path("params");
        boolean paramsChanged = params.isObject() && !params.equals(before.path("request").path("params"));
        if (paramsChanged || req.path("add_params").size() > 0 || req.path("delete_params").size() > 0) {
            Map<String, String> p = new LinkedHashMap<>();
            if (paramsChanged) params.fields().forEachRemaining(e -> p.put(e.getKey(), e.getValue().asText()));
            else p.putAll(params(exchange.query()));
            req.path("add_params").fields().forEachRemaining(e -> p.put(e.getKey(), e.getValue().asText()));
            for (JsonNode d : req.path("delete_params")) p.remove(d.asText());
            StringBuilder sb = new StringBuilder();
            p.forEach((k, v) -> {
                if (!sb.isEmpty()) sb.append('&');
                sb.append(UrlEncoded.encodeString(k)).append('=').append(UrlEncoded.encodeString(v));
            });
            exchange.query(sb.isEmpty() ? null : sb.toString());
        }
        String method = req.path("method").asText("");
        if (!method.isEmpty() && !method.equalsIgnoreCase(exchange.method())) exchange.method(method.toUpperCase(Locale.ROOT));

        byte[] body = newBody(req);
        if (body != null) {
            BufferedBody.set(exchange.clientRequest(), body);
            HttpFields.Mutable mh = exchange.mutableHeaders();
            mh.remove(HttpHeader.TRANSFER_ENCODING);
            mh.put(HttpHeader.CONTENT_LENGTH, body.length);
        }
        JsonNode md = after.get("metadata");
        if (md != null && md.isObject()) {
            Map<String, Object> m = exchange.metadata();
            m.clear();
            m.putAll(JSON.convertValue(md, Map.class));
        }
        return null;
    }

    /** The body a hook set ({@code raw_body} base64 from Python, {@code body} text from JS), or null if unchanged. */
    static byte[] newBody(JsonNode part) {
        JsonNode raw = part.get("raw_body");
        if (raw != null && raw.isTextual()) return Base64.getDecoder().decode(raw.asText());
        JsonNode text = part.get("body");
        if (text != null && text.isTextual()) return text.asText().getBytes(StandardCharsets.UTF_8);
        return null;
    }

    /** {@code return_overrides} with a code: the body is response_body as is, else response_error as a JSON error. */
    static Outcome.Respond overrides(JsonNode ro, int code) {
        HttpFields.Mutable headers = HttpFields.build();
        String contentType = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = ro.path("headers").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase("Content-Type")) contentType = e.getValue().asText();
            else if (!e.getKey().equalsIgnoreCase("Content-Length")) headers.put(e.getKey(), e.getValue().asText());
        }
        String body = ro.path("response_body").asText("");
        if (!body.isEmpty()) {
            if (contentType == null) contentType = looksLikeJson(body) ? "application/json" : "text/plain; charset=utf-8";
            return new Outcome.Respond(code, headers, contentType, body.getBytes(StandardCharsets.UTF_8));
        }
        String error = ro.path("response_error").asText("");
        if (error.isEmpty()) error = org.eclipse.jetty.http.HttpStatus.getMessage(code);
        return new Outcome.Respond(code, headers, contentType != null ? contentType : JsonErrors.CONTENT_TYPE, JsonErrors.body(code, error, null));
    }

    private static boolean looksLikeJson(String s) {
        String t = s.trim();
        return t.startsWith("{") || t.startsWith("[");
    }

    /** The session in a hook's result, or null when the hook left it as it was. */
    public static Session changedSession(JsonNode before, JsonNode after) {
        JsonNode s = after.get("session");
        if (s == null || !s.isObject()) return null;
        JsonNode old = before.get("session");
        if (old != null && sameSession(old, s)) return null;
        return toSession(s);
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

    private static boolean isDefault(JsonNode v) {
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
