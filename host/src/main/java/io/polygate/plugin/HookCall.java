package io.polygate.plugin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.polygate.sdk.json.Json;
import io.polygate.session.Session;
import io.polygate.chain.Exchange;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.http.HttpFields;
import org.graalvm.polyglot.HostAccess;

/**
 * One hook call: what the guest reads ({@link HookReads}) and the changes the hook made, recorded
 * through the exported methods as the guest runtime reports them when the hook returns. The gateway
 * then applies them ({@link RequestChanges}, {@link ResponseChanges}, {@link SessionChanges}).
 *
 * <p>The exported methods are the SDK runtime's contract (plugin-sdk {@code polygate_runtime.py},
 * {@code prelude.js}); plugins do not call them. Not thread-safe: a call belongs to the request
 * thread running the hook.
 */
public final class HookCall extends HookReads {
    private static final TypeReference<LinkedHashMap<String, String>> STRINGS = new TypeReference<>() {};
    private static final TypeReference<LinkedHashMap<String, Object>> OBJECTS = new TypeReference<>() {};

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
    /** Plugin data keys the hook read ({@link DataReads}). */
    Set<String> dataRead;

    /** {@code return_overrides} with a response code. */
    record Overrides(int code, String error, String body, Map<String, String> headers) {}

    public HookCall(Input in, HookSpec spec, ResponseInput response) {
        super(in, spec, response);
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

    private static final HookSpec SAMPLE_SPEC = new HookSpec(Json.MAPPER.createObjectNode().put("APIID", "sample"));

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
            metadata = Json.MAPPER.readValue(json, OBJECTS);
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

    private static Map<String, String> strings(String json, String what) {
        try {
            return Json.MAPPER.readValue(json, STRINGS);
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
        @Override public byte[] body() { return HookRequest.body(exchange); }
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
