package io.polygate.chain;

import io.polygate.session.Session;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Request;

/**
 * One request on its way through an API's chain: the client request, the id of the API it matched, the
 * request as it will be sent upstream (steps may change method, path, query and headers), and what
 * authentication found. Allocation is lazy: headers are copied only when a step changes them.
 *
 * <p>Not thread-safe: an exchange belongs to the thread running its request.
 */
public final class Exchange {
    private final Request clientRequest;
    private final String apiId;
    private String method;
    private String upstreamPath;
    private String query;
    private HttpFields.Mutable headers;
    private HttpFields.Mutable responseHeaders;
    private String keyId;
    private Session session;
    private Map<String, Object> metadata;

    public Exchange(Request clientRequest, String apiId, String upstreamPath) {
        this.clientRequest = clientRequest;
        this.apiId = apiId;
        this.method = clientRequest.getMethod();
        this.upstreamPath = upstreamPath;
        this.query = clientRequest.getHttpURI().getQuery();
    }

    public Request clientRequest() { return clientRequest; }
    /** The matched API's id, for log lines and counters. */
    public String apiId() { return apiId; }

    public String method() { return method; }
    public void method(String method) { this.method = method; }

    /** The path to send upstream (listen path already stripped if the API says so), still URL-encoded. */
    public String upstreamPath() { return upstreamPath; }
    public void upstreamPath(String path) { this.upstreamPath = path; }

    /** The raw query string without '?', or null. */
    public String query() { return query; }
    public void query(String query) { this.query = query; }

    /** The request headers as they will be sent upstream (read-only view until a step changes them). */
    public HttpFields headers() { return headers != null ? headers : clientRequest.getHeaders(); }

    /** The request headers, copied on first use so that a step can change them. */
    public HttpFields.Mutable mutableHeaders() {
        if (headers == null) headers = HttpFields.build(clientRequest.getHeaders());
        return headers;
    }

    /** Headers to add to whatever response the client gets (rate limit headers, plugin headers). */
    public HttpFields.Mutable responseHeaders() {
        if (responseHeaders == null) responseHeaders = HttpFields.build();
        return responseHeaders;
    }

    public boolean hasResponseHeaders() { return responseHeaders != null && responseHeaders.size() > 0; }

    /** The authenticated key (or the token an auth plugin returned), null before auth or for keyless APIs. */
    public String keyId() { return keyId; }
    public Session session() { return session; }

    public void authenticate(String keyId, Session session) {
        this.keyId = keyId;
        this.session = session;
    }

    /** Free-form values steps hand to later steps (the auth plugin's metadata, for instance). */
    public Map<String, Object> metadata() {
        if (metadata == null) metadata = new HashMap<>();
        return metadata;
    }

    public boolean hasMetadata() { return metadata != null && !metadata.isEmpty(); }

    public String clientAddress() { return Request.getRemoteAddr(clientRequest); }
}
