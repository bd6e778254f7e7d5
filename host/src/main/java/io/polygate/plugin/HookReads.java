package io.polygate.plugin;

import io.polygate.sdk.json.Json;
import io.polygate.session.Session;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.graalvm.polyglot.HostAccess;

/**
 * The read side of a {@link HookCall}: Tyk's {@code request}, {@code session}, {@code metadata},
 * {@code spec} and {@code response} as the guest reads them, lazily through the exported methods
 * (a hook that reads one header pays for one header). Maps cross as JSON strings and only when a
 * hook touches them. The exported names are the SDK runtime's contract (plugin-sdk
 * {@code polygate_runtime.py}, {@code prelude.js}).
 */
public abstract sealed class HookReads permits HookCall {
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

    HookReads(Input in, HookSpec spec, ResponseInput response) {
        this.in = in;
        this.spec = spec;
        this.response = response;
    }

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
    public String params_json() { return json(HookRequest.params(in.query())); }

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
            for (HttpField f : in.headers()) out.merge(HookRequest.canonical(f.getName()), f.getValue(), (a, b) -> a + ", " + b);
            canonicalHeaders = out;
        }
        return canonicalHeaders;
    }

    /** The headers the guest saw in {@code response.headers} (computed once). */
    Map<String, String> canonicalResponseHeaders() {
        if (canonicalResponseHeaders == null) {
            Map<String, String> out = new LinkedHashMap<>();
            for (HttpField f : response().headers()) out.put(HookRequest.canonical(f.getName()), f.getValue());
            canonicalResponseHeaders = out;
        }
        return canonicalResponseHeaders;
    }

    private static String json(Object o) {
        return HookJson.write(Json.MAPPER.valueToTree(o));
    }
}
