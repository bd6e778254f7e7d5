package io.polygate.chain;

import io.polygate.observability.RequestIds;
import io.polygate.observability.RequestTrace;
import io.polygate.session.Policy;
import io.polygate.session.Session;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.HostPort;

/**
 * One request on its way through an API's chain, and the only per-request state there is (no
 * request attributes): the client request, the id of the API it matched, the request as it will
 * be sent upstream (steps may change method, path, query, headers and body), the id the
 * {@code id_extractor} read, what authentication found, the headers every response to the
 * client gets, and how the request is followed: its {@code X-Request-Id} and its spans. Allocation is lazy: headers are copied only when a step changes them, the body is
 * buffered only when a step reads or replaces it (otherwise it streams).
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
    private byte[] body;
    /** A step replaced the body before anything read the client's: its bytes are still on the connection. */
    private boolean clientBodyUnread;
    private HttpFields.Mutable responseHeaders;
    private String extractedId;
    private String keyId;
    private Session session;
    private Map<String, Policy> policies;
    private Map<String, Object> metadata;
    private final Function<Request, InetAddress> clientAddresses;
    private InetAddress client;
    private String clientText;
    private final String requestId;
    private final RequestTrace trace;
    private long upstreamStartNanos = -1;

    /**
     * An exchange without a request id or spans (steps' unit tests).
     *
     * @param clientAddresses finds the client's address: the peer's, or the one trusted proxies say they forward for
     */
    public Exchange(Request clientRequest, String apiId, String upstreamPath, Function<Request, InetAddress> clientAddresses) {
        this(clientRequest, apiId, upstreamPath, clientAddresses, null, null);
    }

    /**
     * @param requestId the request's {@code X-Request-Id}, which the upstream and the client get, or null
     * @param trace     the request's spans, or null (tracing off)
     */
    public Exchange(Request clientRequest, String apiId, String upstreamPath, Function<Request, InetAddress> clientAddresses,
                    String requestId, RequestTrace trace) {
        this.clientRequest = clientRequest;
        this.clientAddresses = clientAddresses;
        this.apiId = apiId;
        this.requestId = requestId;
        this.trace = trace;
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

    /**
     * The request body, read whole from the client on the first call and kept: the upstream then
     * gets this copy instead of the consumed client stream. Empty, and left to stream, when the
     * request declares no length or one over {@code maxBytes}. Blocks while the body arrives.
     */
    public byte[] body(int maxBytes) {
        if (body != null) return body;
        long length = clientRequest.getLength();
        if (length <= 0 || length > maxBytes) return new byte[0];
        ByteBuffer read;
        try {
            read = Content.Source.asByteBuffer(clientRequest);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the request body: " + e.getMessage(), e);
        }
        body = new byte[read.remaining()];
        read.get(body);
        return body;
    }

    /** Replaces the body the upstream gets; its headers announce the new length. */
    public void replaceBody(byte[] newBody) {
        if (body == null) clientBodyUnread = true;
        body = newBody;
        HttpFields.Mutable h = mutableHeaders();
        h.remove(HttpHeader.TRANSFER_ENCODING);
        h.put(HttpHeader.CONTENT_LENGTH, newBody.length);
    }

    /** The body a step read or replaced, or null when it streams from the client untouched. */
    public byte[] bufferedBody() { return body; }

    /**
     * Whether the client's own body is still to be read and thrown away (a step replaced it
     * unread); answering true once: the caller takes over the discarding.
     */
    public boolean takeUnreadClientBody() {
        boolean unread = clientBodyUnread;
        clientBodyUnread = false;
        return unread;
    }

    /** Headers to add to whatever response the client gets (rate limit headers, plugin headers). */
    public HttpFields.Mutable responseHeaders() {
        if (responseHeaders == null) responseHeaders = HttpFields.build();
        return responseHeaders;
    }

    /**
     * Adds the {@link #responseHeaders()} to the client's response. The one place they are merged:
     * called once per request, by the chain, just before the response starts (a step's answer, an
     * error, or the hand-off to the upstream).
     */
    public void addResponseHeadersTo(Response response) {
        if (requestId != null) response.getHeaders().put(RequestIds.HEADER, requestId);
        if (responseHeaders != null && responseHeaders.size() > 0) response.getHeaders().add(responseHeaders);
    }

    /** The id the {@code id_extractor} read from the request, or null (none configured, or the request has none). */
    public String extractedId() { return extractedId; }
    public void extractedId(String id) { this.extractedId = id; }

    /** The authenticated key (or the token an auth plugin returned), null before auth or for keyless APIs. */
    public String keyId() { return keyId; }
    public Session session() { return session; }

    public void authenticate(String keyId, Session session) { authenticate(keyId, session, null); }

    /**
     * @param policies the session's policies by id as auth read them (a missing one maps to null),
     *                 so later steps need not read them again; null when auth did not read them
     */
    public void authenticate(String keyId, Session session, Map<String, Policy> policies) {
        this.keyId = keyId;
        this.session = session;
        this.policies = policies;
    }

    /** The authenticated session's policies as auth read them, or null when it did not ({@link #authenticate(String, Session, Map)}). */
    public Map<String, Policy> policies() { return policies; }

    /** Free-form values steps hand to later steps (the auth plugin's metadata, for instance). */
    public Map<String, Object> metadata() {
        if (metadata == null) metadata = new HashMap<>();
        return metadata;
    }

    public boolean hasMetadata() { return metadata != null && !metadata.isEmpty(); }

    /** The client's address (IP lists, {@code $ip} limits, plugins and logs see this one); null when the connection has none. */
    public InetAddress clientInetAddress() {
        if (client == null) client = clientAddresses.apply(clientRequest);
        return client;
    }

    /** {@link #clientInetAddress()} as text, IPv6 in brackets; the peer's address as Jetty gives it when there is none. */
    public String clientAddress() {
        if (clientText == null) {
            InetAddress a = clientInetAddress();
            clientText = a == null ? Request.getRemoteAddr(clientRequest) : HostPort.normalizeHost(a.getHostAddress());
        }
        return clientText;
    }

    /** The {@code X-Request-Id} the upstream and the client get, or null (none assigned). */
    public String requestId() { return requestId; }

    /** The request's spans, or null when tracing is off. */
    public RequestTrace trace() { return trace; }

    /** When the request was handed to the upstream ({@link System#nanoTime()}), or -1 (not yet, or never). */
    public long upstreamStartNanos() { return upstreamStartNanos; }
    public void upstreamStarted(long nanoTime) { this.upstreamStartNanos = nanoTime; }
}
