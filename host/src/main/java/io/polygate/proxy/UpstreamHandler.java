package io.polygate.proxy;

import io.polygate.chain.Exchange;
import io.polygate.config.GatewayConfig.ProxyConfig;
import io.polygate.observability.JsonErrors;
import io.polygate.observability.RequestIds;
import java.net.URI;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Origin;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards a request to its HTTP upstream with Jetty's {@link ProxyHandler}: bodies stream both
 * ways chunk by chunk (never held whole), hop-by-hop headers are dropped, {@code X-Forwarded-For},
 * {@code -Proto} and {@code -Host} and the request's {@code X-Request-Id} are added, and connections to each upstream are kept alive in a
 * pool. An upstream that refuses the connection gives the client a 502, one that stays silent
 * longer than {@code upstream_timeout} a 504, both with a JSON body and a log line. A client
 * that goes away aborts its upstream exchange; a body that turns out malformed as it streams (a
 * bad chunk size) aborts it too, and the client gets a 400 and a closed connection.
 *
 * <p>One instance (one {@link HttpClient}) serves every API; the target comes from the
 * {@link Exchange} that the chain put on the request.
 */
public final class UpstreamHandler extends ProxyHandler {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamHandler.class);
    /** RFC 9110 §7.6.1; Host is set from the target URI instead. */
    private static final EnumSet<HttpHeader> NOT_FORWARDED = EnumSet.of(
            HttpHeader.CONNECTION, HttpHeader.KEEP_ALIVE, HttpHeader.PROXY_AUTHORIZATION,
            HttpHeader.PROXY_AUTHENTICATE, HttpHeader.PROXY_CONNECTION, HttpHeader.TRANSFER_ENCODING,
            HttpHeader.TE, HttpHeader.TRAILER, HttpHeader.UPGRADE, HttpHeader.HOST);

    private final ProxyConfig config;

    public UpstreamHandler(ProxyConfig config) {
        this.config = config;
    }

    /** An {@link Upstream} that forwards to {@code target} (scheme, host, port and base path). */
    public Upstream to(URI target) {
        Target resolved = Target.of(target);
        return (exchange, response, callback) -> {
            // a plugin may have read (and replaced) the body: replay the buffered copy
            handle(new Forwarded(BufferedBody.replayable(exchange), exchange, resolved), response, callback);
        };
    }

    /**
     * One upstream, resolved once per route: the origin that requests are created from (so no URI
     * is parsed per request), the base path, and the {@code Host} header the upstream gets.
     */
    private record Target(URI origin, String basePath, HttpField host) {
        static Target of(URI target) {
            // scheme://host[:port], the default port left out, as Jetty's client writes it
            String scheme = target.getScheme().toLowerCase(Locale.ROOT);
            URI origin = URI.create(new Origin(scheme, target.getHost(), HttpClient.normalizePort(scheme, target.getPort())).asString());
            return new Target(origin, target.getRawPath(), new HttpField(HttpHeader.HOST, origin.getRawAuthority()));
        }
    }

    /** The client request on its way upstream, carrying its exchange and target (instead of request attributes). */
    private static final class Forwarded extends Request.Wrapper {
        final Exchange exchange;
        final Target target;
        /** Why reading the client's body failed (malformed framing, the client gone), or null. */
        volatile Throwable clientBodyFailure;

        Forwarded(Request request, Exchange exchange, Target target) {
            super(request);
            this.exchange = exchange;
            this.target = target;
        }
    }

    private static Forwarded forwarded(Request clientRequest) {
        return (Forwarded) clientRequest;
    }

    /**
     * A selector per core and the server's thread pool: a second pool would only add threads that
     * compete for the same cores. The response listeners only write to the client asynchronously
     * (response hooks hand off to a worker themselves), so they run on the selector thread that read
     * the upstream response, with no hand-off.
     */
    @Override
    protected HttpClient newHttpClient() {
        ClientConnector connector = new ClientConnector();
        connector.setConnectTimeout(config.connectTimeout());
        connector.setSelectors(Runtime.getRuntime().availableProcessors());
        connector.setExecutor(getServer().getThreadPool());
        HttpClientTransportOverHTTP transport = new HttpClientTransportOverHTTP(connector);
        transport.setInvocationType(Invocable.InvocationType.NON_BLOCKING);
        HttpClient client = new HttpClient(transport);
        client.setMaxConnectionsPerDestination(config.maxConnectionsPerUpstream());
        client.setMaxRequestsQueuedPerDestination(64 * 1024);
        client.setIdleTimeout(60_000);
        client.setUserAgentField(null);
        return client;
    }

    @Override
    protected HttpURI rewriteHttpURI(Request clientRequest) {
        Forwarded f = forwarded(clientRequest);
        return HttpURI.build(f.target.origin())
                .path(joinPath(f.target.basePath(), f.exchange.upstreamPath()))
                .query(f.exchange.query())
                .asImmutable();
    }

    /** {@code /api} + {@code /x} = {@code /api/x}; never a double slash, never empty. */
    static String joinPath(String base, String rest) {
        if (base == null || base.isEmpty()) base = "/";
        if (rest == null || rest.isEmpty()) return base;
        boolean baseSlash = base.endsWith("/");
        boolean restSlash = rest.startsWith("/");
        if (baseSlash && restSlash) return base + rest.substring(1);
        if (!baseSlash && !restSlash) return base + "/" + rest;
        return base + rest;
    }

    @Override
    protected org.eclipse.jetty.client.Request newProxyToServerRequest(Request clientRequest, HttpURI uri) {
        Forwarded f = forwarded(clientRequest);
        org.eclipse.jetty.client.Request upstreamRequest = getHttpClient().newRequest(f.target.origin())
                .path(uri.getPathQuery())
                .method(f.exchange.method())
                .idleTimeout(config.upstreamTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        // the client went away: stop the upstream exchange too
        clientRequest.addFailureListener(upstreamRequest::abort);
        return upstreamRequest;
    }

    /**
     * The client's body as it streams upstream. A chunked body has no declared length: it is
     * counted, and the exchange aborted once it passes {@code max_request_body_bytes}. A body the
     * server's parser rejects (a bad chunk size) is remembered, so the client gets its 400.
     */
    @Override
    protected org.eclipse.jetty.client.Request.Content newProxyToServerRequestContent(Request clientRequest, Response clientResponse,
                                                                                     org.eclipse.jetty.client.Request upstreamRequest) {
        long max = clientRequest.getLength() >= 0 ? 0 : config.maxRequestBodyBytes();
        Forwarded f = forwarded(clientRequest);
        return new ProxyRequestContent(clientRequest) {
            private long seen;

            @Override
            public org.eclipse.jetty.io.Content.Chunk read() {
                org.eclipse.jetty.io.Content.Chunk chunk = super.read();
                if (org.eclipse.jetty.io.Content.Chunk.isFailure(chunk)) f.clientBodyFailure = chunk.getFailure();
                if (max > 0 && chunk != null && chunk.hasRemaining()) {
                    seen += chunk.remaining();
                    if (seen > max) {
                        chunk.release();
                        BodyTooLarge tooBig = new BodyTooLarge("request body is over the limit of " + max + " bytes");
                        LOG.info("upstream={} aborted: {}", upstreamRequest.getURI(), tooBig.getMessage());
                        return org.eclipse.jetty.io.Content.Chunk.from(tooBig, true);
                    }
                }
                return chunk;
            }
        };
    }

    @Override
    protected void copyRequestHeaders(Request clientRequest, org.eclipse.jetty.client.Request upstreamRequest) {
        Exchange exchange = forwarded(clientRequest).exchange;
        Set<String> connectionListed = null;
        for (String value : exchange.headers().getValuesList(HttpHeader.CONNECTION)) {
            // headers named in Connection are hop-by-hop too, RFC 9110 §7.6.1
            for (String name : value.split(",")) {
                if (connectionListed == null) connectionListed = new HashSet<>();
                connectionListed.add(name.trim().toLowerCase(Locale.ROOT));
            }
        }
        Set<String> drop = connectionListed;
        upstreamRequest.headers(headers -> {
            for (HttpField field : exchange.headers()) {
                if (field.getHeader() != null && NOT_FORWARDED.contains(field.getHeader())) continue;
                if (drop != null && drop.contains(field.getLowerCaseName())) continue;
                headers.add(field);
            }
        });
    }

    @Override
    protected void addProxyHeaders(Request clientRequest, org.eclipse.jetty.client.Request upstreamRequest) {
        Target target = forwarded(clientRequest).target;
        String requestId = forwarded(clientRequest).exchange.requestId();
        String remote = Request.getRemoteAddr(clientRequest);
        String host = clientRequest.getHeaders().get(HttpHeader.HOST);
        String proto = clientRequest.isSecure() ? "https" : "http";
        upstreamRequest.headers(headers -> {
            String xff = headers.get(HttpHeader.X_FORWARDED_FOR);
            headers.put(HttpHeader.X_FORWARDED_FOR, xff == null || xff.isBlank() ? remote : xff + ", " + remote);
            if (!headers.contains(HttpHeader.X_FORWARDED_PROTO)) headers.put(HttpHeader.X_FORWARDED_PROTO, proto);
            if (host != null && !headers.contains(HttpHeader.X_FORWARDED_HOST)) headers.put(HttpHeader.X_FORWARDED_HOST, host);
            if (requestId != null) headers.put(RequestIds.HEADER, requestId);
            // set here, or the client would build the request's java.net.URI to find it
            headers.add(target.host());
        });
    }

    @Override
    protected HttpField filterServerToProxyResponseField(HttpField field) {
        // the gateway's own Date and X-Request-Id headers are already on the response
        if (field.getHeader() == HttpHeader.DATE || field.is(RequestIds.HEADER)) return null;
        return field;
    }

    @Override
    protected void onServerToProxyResponseFailure(Request clientRequest, org.eclipse.jetty.client.Request upstreamRequest,
                                                  org.eclipse.jetty.client.Response upstreamResponse, Response clientResponse,
                                                  Callback clientCallback, Throwable failure) {
        Forwarded f = forwarded(clientRequest);
        String api = f.exchange.apiId();
        Throwable badBody = f.clientBodyFailure;
        boolean timeout = isTimeout(failure);
        BodyTooLarge tooLarge = bodyTooLarge(failure);
        // a body too slow (MinimumBodyRate) is a 408; one the parser rejects a 400
        int bodyStatus = badBody instanceof HttpException h ? h.getCode() : 400;
        int status = tooLarge != null ? 413 : badBody != null ? bodyStatus : timeout ? 504 : 502;
        String message = tooLarge != null ? tooLarge.getMessage() : badBody != null
                ? (bodyStatus == 408 ? badBody.getMessage() : "malformed request body: " + describe(badBody)) : timeout
                ? "upstream did not answer within " + config.upstreamTimeout().toMillis() + " ms"
                : "upstream unreachable: " + describe(failure);
        String errorId = JsonErrors.newErrorId();
        if (!clientResponse.isCommitted()) {
            LOG.warn("api={} upstream={} {} {} error_id={}: {}", api, upstreamRequest.getURI(), status,
                    timeout ? "timeout" : "failure", errorId, describe(failure));
            // the upstream's headers go; the gateway's own (rate limit, quota, plugins) stay
            clientResponse.getHeaders().clear();
            forwarded(clientRequest).exchange.addResponseHeadersTo(clientResponse);
            // the rest of a malformed or too slow body is not read: nothing more is read from this connection
            if (badBody != null) clientResponse.getHeaders().put(HttpHeader.CONNECTION, "close");
            JsonErrors.write(clientResponse, Callback.from(clientCallback::succeeded, clientCallback::failed), status,
                    JsonErrors.body(status, message, errorId));
        } else {
            LOG.info("api={} upstream={} exchange aborted after the response started error_id={}: {}", api,
                    upstreamRequest.getURI(), errorId, describe(failure));
            clientCallback.failed(failure);
        }
    }

    /** A chunked request body passed {@code max_request_body_bytes}. */
    static final class BodyTooLarge extends RuntimeException {
        BodyTooLarge(String message) { super(message, null, false, false); }
    }

    static BodyTooLarge bodyTooLarge(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) if (c instanceof BodyTooLarge b) return b;
        return null;
    }

    static boolean isTimeout(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TimeoutException || c instanceof java.net.SocketTimeoutException) return true;
        }
        return false;
    }

    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = root.getMessage();
        return root.getClass().getSimpleName() + (m == null ? "" : " " + m);
    }
}
