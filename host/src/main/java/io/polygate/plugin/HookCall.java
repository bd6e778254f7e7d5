package io.polygate.plugin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.polygate.session.Session;
import io.polygate.chain.Exchange;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.graalvm.polyglot.HostAccess;

/**
 * One hook call as the guest sees it: Tyk's {@code request}, {@code session}, {@code metadata},
 * {@code spec} and {@code response}, read lazily through the exported methods (a hook that reads
 * one header pays for one header), and the changes the hook made, recorded as the guest runtime
 * reports them when the hook returns. The gateway then applies them ({@link HookState}).
 *
 * <p>The exported methods are the SDK runtime's contract (plugin-sdk {@code polygate_runtime.py},
 * {@code prelude.js}); plugins do not call them. Maps cross as JSON strings and only when a hook
 * touches them. Not thread-safe: a call belongs to the request thread running the hook.
 */
public final class HookCall {
    private static final TypeReference<LinkedHashMap<String, String>> STRINGS = new TypeReference<>() {};
    private static final TypeReference<LinkedHashMap<String, Object>> OBJECTS = new TypeReference<>() {};

    /** What the hook reads, computed on demand. */
    public interface Input {
        /** The request headers as they will be sent upstream. */
        HttpFields headers();

        String method();

        /** The upstream path, still URL-encoded. */
        String path();

        /** The raw query without '?', or null. */
        String query();

        /** The request body handed to hooks (empty if absent or too big). */
        byte[] body();

        String requestUri();

        String scheme();

        String clientIp();

        /** The session so far, or null before authentication. */
        Session session();

        /**
         * The metadata so far, or null; after auth the session's {@code meta_data} unless a step
         * set metadata (Tyk's coprocess hands hooks the session's metadata).
         */
        Map<String, Object> metadata();
    }

    /** The upstream response a {@code response} hook sees. */
    public record ResponseInput(int status, HttpFields headers, byte[] body) {}

    private final Input in;
    private final HookSpec spec;
    private final ResponseInput response;
    private Map<String, String> canonicalHeaders;
    private Map<String, String> canonicalResponseHeaders;

    // what the hook changed (null / empty: unchanged); the collections are made on first use, most
    // calls change at most a header or two
    Map<String, String> replacedHeaders;
    Map<String, String> setHeaders = Map.of();
    List<String> deleteHeaders = List.of();
    String url;
    String method;
    Map<String, String> replacedParams;
    Map<String, String> addParams = Map.of();
    List<String> deleteParams = List.of();
    byte[] body;
    Overrides overrides;
    String sessionJson;
    boolean storeSession;
    Map<String, Object> metadata;
    int responseStatus;
    Map<String, String> responseHeaders;
    byte[] responseBody;

    /** {@code return_overrides} with a response code. */
    record Overrides(int code, String error, String body, Map<String, String> headers) {}

    public HookCall(Input in, HookSpec spec, ResponseInput response) {
        this.in = in;
        this.spec = spec;
        this.response = response;
    }

    /** A request hook's call on an exchange; {@code session} null gives the hook an empty session. */
    public static HookCall of(Exchange exchange, Session session, HookSpec spec, ResponseInput response) {
        return new HookCall(new ExchangeInput(exchange, session), spec, response);
    }

    /** A call on a made-up request, for warming a context's runtime; what it records is thrown away. */
    public static HookCall sample() {
        HttpFields headers = HttpFields.build().add("Key", "sample").add("Accept", "*/*").asImmutable();
        Input in = new Input() {
            @Override public HttpFields headers() { return headers; }
            @Override public String method() { return "GET"; }
            @Override public String path() { return "/"; }
            @Override public String query() { return "a=1"; }
            @Override public byte[] body() { return new byte[0]; }
            @Override public String requestUri() { return "/?a=1"; }
            @Override public String scheme() { return "http"; }
            @Override public String clientIp() { return "127.0.0.1"; }
            @Override public Session session() { return null; }
            @Override public Map<String, Object> metadata() { return null; }
        };
        return new HookCall(in, SAMPLE_SPEC, null);
    }

    private static final HookSpec SAMPLE_SPEC = new HookSpec(HookState.JSON.createObjectNode().put("APIID", "sample"));

    // ---------------------------------------------------------------- what the guest reads

    /** A request header (case-insensitive; several values joined with ", "), or null. */
    @HostAccess.Export
    public String header(String name) {
        if (name == null) return null;
        String value = null;
        for (HttpField f : in.headers()) {
            if (f.is(name)) value = value == null ? f.getValue() : value + ", " + f.getValue();
        }
        return value;
    }

    /** All request headers under Go's canonical names, as Tyk hands them to plugins. */
    @HostAccess.Export
    public String headers_json() { return json(canonicalHeaders()); }

    @HostAccess.Export
    public String body_text() { return new String(in.body(), StandardCharsets.UTF_8); }

    @HostAccess.Export
    public String body_b64() { return Base64.getEncoder().encodeToString(in.body()); }

    /** Path and query as sent upstream. */
    @HostAccess.Export
    public String url() {
        String q = in.query();
        return in.path() + (q == null || q.isEmpty() ? "" : "?" + q);
    }

    @HostAccess.Export
    public String method() { return in.method(); }

    @HostAccess.Export
    public String params_json() { return json(HookState.params(in.query())); }

    @HostAccess.Export
    public String request_uri() { return in.requestUri(); }

    @HostAccess.Export
    public String scheme() { return in.scheme(); }

    @HostAccess.Export
    public String client_ip() { return in.clientIp(); }

    /** The session as Tyk's session JSON, or null when there is none yet (the guest uses defaults). */
    @HostAccess.Export
    public String session_json() {
        Session s = in.session();
        return s == null ? null : json(s);
    }

    /** The metadata as JSON, or null when there is none. */
    @HostAccess.Export
    public String metadata_json() {
        Map<String, Object> m = in.metadata();
        return m == null || m.isEmpty() ? null : json(m);
    }

    @HostAccess.Export
    public int spec_id() { return spec.id(); }

    @HostAccess.Export
    public String spec_json() { return spec.json(); }

    @HostAccess.Export
    public int response_status() { return response().status(); }

    @HostAccess.Export
    public String response_headers_json() { return json(canonicalResponseHeaders()); }

    @HostAccess.Export
    public String response_body_text() { return new String(response().body(), StandardCharsets.UTF_8); }

    @HostAccess.Export
    public String response_body_b64() { return Base64.getEncoder().encodeToString(response().body()); }

    // ---------------------------------------------------------------- what the guest changed

    /** The hook's {@code request.object.headers} after it changed them: the whole new map. */
    @HostAccess.Export
    public void replace_headers(String json) { replacedHeaders = strings(json, "request.object.headers"); }

    @HostAccess.Export
    public void set_header(String name, String value) {
        if (setHeaders.isEmpty()) setHeaders = new LinkedHashMap<>();
        setHeaders.put(name, value == null ? "" : value);
    }

    @HostAccess.Export
    public void delete_header(String name) {
        if (name == null) return;
        if (deleteHeaders.isEmpty()) deleteHeaders = new ArrayList<>();
        deleteHeaders.add(name);
    }

    @HostAccess.Export
    public void set_url(String url) { this.url = url; }

    @HostAccess.Export
    public void set_method(String method) { this.method = method; }

    /** The hook's {@code request.object.params} after it changed them: the whole new map. */
    @HostAccess.Export
    public void replace_params(String json) { replacedParams = strings(json, "request.object.params"); }

    @HostAccess.Export
    public void add_param(String name, String value) {
        if (addParams.isEmpty()) addParams = new LinkedHashMap<>();
        addParams.put(name, value == null ? "" : value);
    }

    @HostAccess.Export
    public void delete_param(String name) {
        if (name == null) return;
        if (deleteParams.isEmpty()) deleteParams = new ArrayList<>();
        deleteParams.add(name);
    }

    @HostAccess.Export
    public void set_body_text(String text) { body = (text == null ? "" : text).getBytes(StandardCharsets.UTF_8); }

    @HostAccess.Export
    public void set_body_b64(String b64) { body = decode(b64, "request body"); }

    /** {@code return_overrides} with a code in 100..599: the gateway answers instead of the upstream. */
    @HostAccess.Export
    public void override(int code, String error, String body, String headersJson) {
        overrides = new Overrides(code, error == null ? "" : error, body == null ? "" : body,
                headersJson == null ? Map.of() : strings(headersJson, "return_overrides.headers"));
    }

    /** The session after the hook, as JSON (sent when the hook touched the session, always for auth_check). */
    @HostAccess.Export
    public void set_session(String json) { sessionJson = json; }

    /** The session the hook changed is to be stored back on its key (Tyk JSVM: {@code ReturnData} with new metadata). */
    @HostAccess.Export
    public void store_session() { storeSession = true; }

    /** The metadata after the hook, as JSON (sent when it changed). */
    @HostAccess.Export
    public void set_metadata(String json) {
        try {
            metadata = HookState.JSON.readValue(json, OBJECTS);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("metadata is not a JSON object: " + e.getOriginalMessage());
        }
    }

    @HostAccess.Export
    public void set_response_status(int status) { responseStatus = status; }

    @HostAccess.Export
    public void replace_response_headers(String json) { responseHeaders = strings(json, "response.headers"); }

    @HostAccess.Export
    public void set_response_body_text(String text) { responseBody = (text == null ? "" : text).getBytes(StandardCharsets.UTF_8); }

    @HostAccess.Export
    public void set_response_body_b64(String b64) { responseBody = decode(b64, "response body"); }

    // ---------------------------------------------------------------- for the gateway

    Input input() { return in; }

    HookSpec spec() { return spec; }

    ResponseInput response() {
        if (response == null) throw new IllegalStateException("not a response hook");
        return response;
    }

    /** The headers the guest saw in {@code request.object.headers} (computed once). */
    Map<String, String> canonicalHeaders() {
        if (canonicalHeaders == null) {
            Map<String, String> out = new LinkedHashMap<>();
            for (HttpField f : in.headers()) out.merge(HookState.canonical(f.getName()), f.getValue(), (a, b) -> a + ", " + b);
            canonicalHeaders = out;
        }
        return canonicalHeaders;
    }

    /** The headers the guest saw in {@code response.headers} (computed once). */
    Map<String, String> canonicalResponseHeaders() {
        if (canonicalResponseHeaders == null) {
            Map<String, String> out = new LinkedHashMap<>();
            for (HttpField f : response().headers()) out.put(HookState.canonical(f.getName()), f.getValue());
            canonicalResponseHeaders = out;
        }
        return canonicalResponseHeaders;
    }

    private static String json(Object o) {
        return HookState.write(HookState.JSON.valueToTree(o));
    }

    private static Map<String, String> strings(String json, String what) {
        try {
            return HookState.JSON.readValue(json, STRINGS);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(what + " must map names to strings: " + e.getOriginalMessage());
        }
    }

    private static byte[] decode(String b64, String what) {
        try {
            return Base64.getDecoder().decode(b64 == null ? "" : b64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": not valid base64");
        }
    }

    /** The input of a hook running on a live request. */
    private record ExchangeInput(Exchange exchange, Session session) implements Input {
        @Override public HttpFields headers() { return exchange.headers(); }
        @Override public String method() { return exchange.method(); }
        @Override public String path() { return exchange.upstreamPath(); }
        @Override public String query() { return exchange.query(); }
        @Override public byte[] body() { return HookState.body(exchange); }
        @Override public String requestUri() { return exchange.clientRequest().getHttpURI().getPathQuery(); }
        @Override public String scheme() { return exchange.clientRequest().isSecure() ? "https" : "http"; }
        @Override public String clientIp() { return exchange.clientAddress(); }
        @Override
        public Map<String, Object> metadata() {
            if (exchange.hasMetadata()) return exchange.metadata();
            return session != null && session.meta_data != null && !session.meta_data.isEmpty() ? session.meta_data : null;
        }
    }
}
