package io.polygate.proxy;

import io.polygate.chain.Exchange;
import io.polygate.config.GatewayConfig.ProxyConfig;
import io.polygate.config.UpstreamSpec;
import io.polygate.config.UpstreamTlsConfig;
import io.polygate.observability.JsonErrors;
import io.polygate.observability.RequestIds;
import io.polygate.tls.UpstreamCertificates;
import io.polygate.tls.UpstreamTls;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Origin;
import org.eclipse.jetty.client.HttpClientTransport;
import org.eclipse.jetty.client.transport.HttpClientConnectionFactory;
import org.eclipse.jetty.client.transport.HttpClientTransportDynamic;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.ClientConnectionFactoryOverHTTP2;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
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
 * <p>An API with several targets ({@link #balanced}) picks one per request among those in
 * rotation ({@link TargetGroup}); an idempotent request without a streamed body whose target
 * fails before its answer begins (no connection, a connection closed, not a timeout) or answers
 * 502 or 503 is sent to another target, up to {@code retries} times (nginx's
 * {@code proxy_next_upstream error}); when no target is in rotation the client gets 503 at once.
 * A WebSocket upgrade goes through {@link WebSocketBridge} instead.
 *
 * <p>One instance serves every API; the target comes from the {@link Exchange} that the chain put
 * on the request. One {@link HttpClient} serves every upstream, but for {@code https://} targets
 * with {@code upstream_tls} settings: each distinct setting has a client of its own (its trust
 * store, client certificate, SNI name, HTTP/2 offered), made on the first request that needs it,
 * its files read again when they change ({@link UpstreamCertificates}). A
 * TLS handshake the upstream fails (its certificate refused) is a 502 naming the problem.
 */
public final class UpstreamHandler extends ProxyHandler {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamHandler.class);
    /** RFC 9110 §7.6.1; Host is set from the target URI instead. */
    private static final EnumSet<HttpHeader> NOT_FORWARDED = EnumSet.of(
            HttpHeader.CONNECTION, HttpHeader.KEEP_ALIVE, HttpHeader.PROXY_AUTHORIZATION,
            HttpHeader.PROXY_AUTHENTICATE, HttpHeader.PROXY_CONNECTION, HttpHeader.TRANSFER_ENCODING,
            HttpHeader.TE, HttpHeader.TRAILER, HttpHeader.UPGRADE, HttpHeader.HOST);

    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

    private final ProxyConfig config;
    /** The target groups by API id, kept across route rebuilds while an API's targets stay the same (their health with them). */
    private final Map<String, Balanced> groups = new ConcurrentHashMap<>();
    private WebSocketBridge webSockets;
    private UpgradeTunnel upgrades;
    /** The clients of upstream TLS settings other than the default, by setting; stopped with this handler. */
    private final Map<UpstreamTlsConfig, HttpClient> tlsClients = new ConcurrentHashMap<>();

    public UpstreamHandler(ProxyConfig config) {
        this.config = config;
    }

    /** An {@link Upstream} that forwards to {@code target} (scheme, host, port and base path). */
    public Upstream to(URI target) {
        return to(target, UpstreamTlsConfig.DEFAULT);
    }

    /**
     * An {@link Upstream} that forwards to {@code target}, speaking TLS to it as {@code tls} says
     * when it is {@code https://}.
     *
     * @throws io.polygate.config.ConfigException when a file of {@code tls} does not hold what it should
     */
    public Upstream to(URI target, UpstreamTlsConfig tls) {
        Target resolved = Target.of(target, tlsClient(tls));
        return (exchange, response, callback) -> {
            if (upgraded(exchange, resolved, response, callback)) return;
            forward(exchange, resolved, null, List.of(), response, callback);
        };
    }

    /**
     * An {@link Upstream} that balances between the targets of {@code spec}. The same API with the
     * same targets gets the same group (its health state and running checks); another spec replaces
     * it and stops its checks.
     */
    public Upstream balanced(String apiId, UpstreamSpec spec) {
        return balanced(apiId, spec, UpstreamTlsConfig.DEFAULT);
    }

    /**
     * {@link #balanced(String, UpstreamSpec)} speaking TLS to its {@code https://} targets (and
     * checking their health) as {@code tls} says.
     *
     * @throws io.polygate.config.ConfigException when a file of {@code tls} does not hold what it should
     */
    public synchronized Upstream balanced(String apiId, UpstreamSpec spec, UpstreamTlsConfig tls) {
        Balanced existing = groups.get(apiId);
        if (existing != null && existing.group.spec().equals(spec) && existing.tls.equals(tls)) return existing;
        TlsClient tlsClient = tlsClient(tls);
        Balanced created = new Balanced(new TargetGroup(apiId, spec, target -> Target.of(target, tlsClient)), tls, tlsClient);
        groups.put(apiId, created);
        if (existing != null) existing.stopChecks();
        if (isStarted()) created.startChecks();
        return created;
    }

    /** The client for {@code tls}, or null for the default one; its files are read now, so that a bad one shows when the route is built. */
    private TlsClient tlsClient(UpstreamTlsConfig tls) {
        return tls.equals(UpstreamTlsConfig.DEFAULT) ? null : new TlsClient(tls, UpstreamTls.sslContextFactory(tls));
    }

    /** Forgets the groups of APIs not in {@code apiIds} (deleted), stopping their checks. */
    public synchronized void retainGroups(Set<String> apiIds) {
        groups.entrySet().removeIf(e -> {
            if (apiIds.contains(e.getKey())) return false;
            e.getValue().stopChecks();
            return true;
        });
    }

    /** The upstream of an API with several targets. */
    private final class Balanced implements Upstream {
        final TargetGroup group;
        final UpstreamTlsConfig tls;
        private final TlsClient tlsClient;
        private ActiveHealthCheck check;

        Balanced(TargetGroup group, UpstreamTlsConfig tls, TlsClient tlsClient) {
            this.group = group;
            this.tls = tls;
            this.tlsClient = tlsClient;
        }

        synchronized void startChecks() {
            if (group.spec().active() == null || check != null) return;
            check = new ActiveHealthCheck(group, tlsClient == null ? getHttpClient() : tlsClient.get());
            check.start();
        }

        synchronized void stopChecks() {
            if (check != null) check.stop();
        }

        @Override
        public void forward(Exchange exchange, Response response, Callback callback) {
            send(exchange, group, List.of(), response, callback);
        }
    }

    private void send(Exchange exchange, TargetGroup group, List<TargetGroup.Member> tried, Response response, Callback callback) {
        TargetGroup.Member member = group.pick(tried);
        if (member == null) {
            String message = tried.isEmpty() ? "no upstream target of API \"" + group.apiId() + "\" is in rotation (all "
                    + group.members().size() + " down)" : "every upstream target tried failed (" + tried.size() + ")";
            LOG.warn("api={} 503: {}", group.apiId(), message);
            JsonErrors.write(response, callback, 503, message);
            return;
        }
        if (upgraded(exchange, member.target, response, callback)) return;
        List<TargetGroup.Member> nowTried = new ArrayList<>(tried.size() + 1);
        nowTried.addAll(tried);
        nowTried.add(member);
        forward(exchange, member.target, member, nowTried, response, callback);
    }

    /**
     * Sends the exchange to {@code target}; a body a plugin read (and replaced) is replayed from its
     * buffered copy. A client body a step replaced unread is first read and thrown away, without
     * blocking: its bytes would otherwise still be on the connection when the response ends, and
     * Jetty would close a connection whose answer told the client it stays open. A body that fails
     * meanwhile (too slow, malformed) ends the discarding too; the replacement goes on and Jetty
     * closes the connection after.
     */
    private void forward(Exchange exchange, Target target, TargetGroup.Member member, List<TargetGroup.Member> tried,
                         Response response, Callback callback) {
        Forwarded forwarded = new Forwarded(BufferedBody.replayable(exchange), exchange, target, member, tried);
        if (!exchange.takeUnreadClientBody()) {
            handle(forwarded, response, callback);
            return;
        }
        Runnable send = () -> handle(forwarded, response, callback);
        Content.Source.consumeAll(exchange.clientRequest(), Callback.from(send, failure -> send.run()));
    }

    /**
     * One upstream, resolved once per route: the origin that requests are created from (so no URI
     * is parsed per request), the base path, and the {@code Host} header the upstream gets.
     */
    record Target(URI origin, String basePath, HttpField host, TlsClient tlsClient) {
        /** @param tlsClient the client of the API's upstream TLS settings, or null: the default client */
        static Target of(URI target, TlsClient tlsClient) {
            // scheme://host[:port], the default port left out, as Jetty's client writes it
            String scheme = target.getScheme().toLowerCase(Locale.ROOT);
            URI origin = URI.create(new Origin(scheme, target.getHost(), HttpClient.normalizePort(scheme, target.getPort())).asString());
            // plain http needs no TLS settings: the default client and its pools serve it
            return new Target(origin, target.getRawPath(), new HttpField(HttpHeader.HOST, origin.getRawAuthority()),
                    scheme.equals("https") ? tlsClient : null);
        }

        HttpClient client(HttpClient defaultClient) { return tlsClient == null ? defaultClient : tlsClient.get(); }
    }

    /** An upstream TLS setting and, once a request needed it, the client shared by every route with that setting. */
    final class TlsClient {
        private final UpstreamTlsConfig tls;
        private final SslContextFactory.Client ssl;
        private volatile HttpClient client;

        TlsClient(UpstreamTlsConfig tls, SslContextFactory.Client ssl) {
            this.tls = tls;
            this.ssl = ssl;
        }

        HttpClient get() {
            HttpClient c = client;
            if (c == null) client = c = tlsClients.computeIfAbsent(tls, t -> startedClient(ssl, t));
            return c;
        }
    }

    /** The client of one {@code upstream_tls} setting, started, its files watched for changes while it runs. */
    private HttpClient startedClient(SslContextFactory.Client ssl, UpstreamTlsConfig tls) {
        HttpClient client = newHttpClient(ssl, tls.http2());
        client.addBean(new UpstreamCertificates(tls, ssl), true);
        addBean(client, true);
        try {
            if (!client.isStarted()) client.start();
        } catch (Exception e) {
            removeBean(client);
            throw new IllegalStateException("the upstream TLS client did not start: " + e, e);
        }
        return client;
    }

    /** The client request on its way upstream, carrying its exchange and target (instead of request attributes). */
    private static final class Forwarded extends Request.Wrapper {
        final Exchange exchange;
        final Target target;
        /** The target of a balanced API, or null; and the targets tried for this request, this one last. */
        final TargetGroup.Member member;
        final List<TargetGroup.Member> tried;
        /** Why reading the client's body failed (malformed framing, the client gone), or null. */
        volatile Throwable clientBodyFailure;
        /** Whether the upstream's answer began to be relayed to the client (then it cannot be retried). */
        volatile boolean relayed;

        Forwarded(Request request, Exchange exchange, Target target, TargetGroup.Member member, List<TargetGroup.Member> tried) {
            super(request);
            this.exchange = exchange;
            this.target = target;
            this.member = member;
            this.tried = tried;
        }

        /** Whether this request may go to another target: idempotent, with no body streamed from the client, retries left. */
        boolean mayRetry() {
            if (member == null || tried.size() > member.group().spec().retries()) return false;
            Request client = exchange.clientRequest();
            boolean streamedBody = exchange.bufferedBody() == null
                    && (client.getLength() > 0 || client.getHeaders().contains(HttpHeader.TRANSFER_ENCODING));
            return !streamedBody && IDEMPOTENT.contains(exchange.method()) && member.group().anyInRotationBesides(tried);
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
        return newHttpClient(UpstreamTls.sslContextFactory(UpstreamTlsConfig.DEFAULT), false);
    }

    /** {@code http2}: HTTP/2 offered by ALPN first, HTTP/1.1 beside it (the upstream chooses). */
    private HttpClient newHttpClient(SslContextFactory.Client ssl, boolean http2) {
        ClientConnector connector = new UpstreamConnector();
        connector.setSslContextFactory(ssl);
        connector.setConnectTimeout(config.connectTimeout());
        connector.setSelectors(Runtime.getRuntime().availableProcessors());
        connector.setExecutor(getServer().getThreadPool());
        HttpClientTransport transport;
        if (http2) {
            transport = new HttpClientTransportDynamic(connector,
                    new ClientConnectionFactoryOverHTTP2.HTTP2(new HTTP2Client(connector)), HttpClientConnectionFactory.HTTP11);
        } else {
            HttpClientTransportOverHTTP http1 = new HttpClientTransportOverHTTP(connector);
            http1.setInvocationType(Invocable.InvocationType.NON_BLOCKING);
            transport = http1;
        }
        HttpClient client = new HttpClient(transport);
        client.setMaxConnectionsPerDestination(config.maxConnectionsPerUpstream());
        client.setMaxRequestsQueuedPerDestination(64 * 1024);
        client.setIdleTimeout(60_000);
        client.setUserAgentField(null);
        return client;
    }

    /**
     * Forwards an upgrade request to {@code target}: WebSocket through the bridge, another
     * protocol through the tunnel. False for a request that asks for no upgrade (one header lookup).
     */
    private boolean upgraded(Exchange exchange, Target target, Response response, Callback callback) {
        Request request = exchange.clientRequest();
        if (!request.getHeaders().contains(HttpHeader.UPGRADE)) return false;
        if (webSockets.isUpgrade(request)) {
            webSockets.forward(exchange, upstreamUri(target, exchange), response, callback);
            return true;
        }
        if (!UpgradeTunnel.isUpgrade(request)) return false;
        upgrades.forward(exchange, upstreamUri(target, exchange), target.host(), target.client(getHttpClient()).getSslContextFactory(), response, callback);
        return true;
    }

    /** The URI a request goes to on {@code target}: its base path joined with the request's path, and the query. */
    private static URI upstreamUri(Target target, Exchange exchange) {
        return HttpURI.build(target.origin()).path(joinPath(target.basePath(), exchange.upstreamPath())).query(exchange.query()).toURI();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        webSockets = new WebSocketBridge(getServer(), config.connectTimeout().toMillis());
        webSockets.start();
        upgrades = new UpgradeTunnel(getServer(), config.connectTimeout());
        upgrades.start();
        for (Balanced b : groups.values()) b.startChecks();
    }

    @Override
    protected void doStop() throws Exception {
        for (Balanced b : groups.values()) b.stopChecks();
        webSockets.stop();
        upgrades.stop();
        super.doStop();
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
        org.eclipse.jetty.client.Request upstreamRequest = f.target.client(getHttpClient()).newRequest(f.target.origin())
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
            public Content.Chunk read() {
                Content.Chunk chunk = super.read();
                if (Content.Chunk.isFailure(chunk)) f.clientBodyFailure = chunk.getFailure();
                if (max > 0 && chunk != null && chunk.hasRemaining()) {
                    seen += chunk.remaining();
                    if (seen > max) {
                        chunk.release();
                        BodyTooLarge tooBig = new BodyTooLarge("request body is over the limit of " + max + " bytes");
                        LOG.info("upstream={} aborted: {}", upstreamRequest.getURI(), tooBig.getMessage());
                        return Content.Chunk.from(tooBig, true);
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
            headers.put(HttpHeader.X_FORWARDED_FOR, forwardedFor(xff, remote));
            if (!headers.contains(HttpHeader.X_FORWARDED_PROTO)) headers.put(HttpHeader.X_FORWARDED_PROTO, proto);
            if (host != null && !headers.contains(HttpHeader.X_FORWARDED_HOST)) headers.put(HttpHeader.X_FORWARDED_HOST, host);
            if (requestId != null) headers.put(RequestIds.HEADER, requestId);
            // set here, or the client would build the request's java.net.URI to find it
            headers.add(target.host());
        });
    }

    /**
     * For a balanced API: counts the request in flight on its target, records the answer for the
     * passive health check, and turns a 502 or 503 that another target may answer into a retry
     * (the answer is dropped before anything of it reaches the client).
     */
    @Override
    protected org.eclipse.jetty.client.Response.CompleteListener newServerToProxyResponseListener(
            Request clientRequest, org.eclipse.jetty.client.Request upstreamRequest, Response clientResponse, Callback clientCallback) {
        org.eclipse.jetty.client.Response.CompleteListener relay = super.newServerToProxyResponseListener(clientRequest, upstreamRequest, clientResponse, clientCallback);
        Forwarded f = forwarded(clientRequest);
        if (f.member == null) return relay;
        f.member.inFlight.incrementAndGet();
        return new MemberResponseListener((org.eclipse.jetty.client.Response.Listener) relay, f);
    }

    /** A 502 or 503 from a target, dropped so that the request goes to another one. */
    static final class RetryableStatus extends RuntimeException {
        RetryableStatus(int status) { super("answered " + status, null, false, false); }
    }

    private static final class MemberResponseListener implements org.eclipse.jetty.client.Response.Listener {
        private final org.eclipse.jetty.client.Response.Listener relay;
        private final Forwarded f;

        MemberResponseListener(org.eclipse.jetty.client.Response.Listener relay, Forwarded f) {
            this.relay = relay;
            this.f = f;
        }

        @Override
        public void onBegin(org.eclipse.jetty.client.Response response) {
            int status = response.getStatus();
            if (status == 502 || status == 503 || status == 504) f.member.proxyFailed("status " + status);
            else f.member.proxied();
            if ((status == 502 || status == 503) && f.mayRetry()) {
                response.abort(new RetryableStatus(status));
                return;
            }
            f.relayed = true;
            relay.onBegin(response);
        }

        @Override public boolean onHeader(org.eclipse.jetty.client.Response r, HttpField field) { return relay.onHeader(r, field); }
        @Override public void onHeaders(org.eclipse.jetty.client.Response r) { relay.onHeaders(r); }
        @Override public void onContent(org.eclipse.jetty.client.Response r, java.nio.ByteBuffer content) { relay.onContent(r, content); }
        @Override public void onContent(org.eclipse.jetty.client.Response r, Content.Chunk chunk, Runnable demander) throws Exception {
            relay.onContent(r, chunk, demander);
        }
        @Override public void onContentSource(org.eclipse.jetty.client.Response r, Content.Source source) { relay.onContentSource(r, source); }
        @Override public void onSuccess(org.eclipse.jetty.client.Response r) { relay.onSuccess(r); }
        @Override public void onFailure(org.eclipse.jetty.client.Response r, Throwable failure) { relay.onFailure(r, failure); }

        @Override
        public void onComplete(org.eclipse.jetty.client.Result result) {
            f.member.inFlight.decrementAndGet();
            relay.onComplete(result);
        }
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
        if (f.member != null && badBody == null && tooLarge == null) {
            boolean retryable = failure instanceof RetryableStatus;
            if (!retryable) f.member.proxyFailed(describe(failure));
            if ((retryable || (!timeout && !f.relayed)) && !clientResponse.isCommitted() && f.mayRetry()) {
                LOG.info("api={} upstream={} {}: trying another target", api, upstreamRequest.getURI(), describe(failure));
                send(f.exchange, f.member.group(), f.tried, clientResponse, clientCallback);
                return;
            }
        }
        // a body too slow (MinimumBodyRate) is a 408; one the parser rejects a 400
        int bodyStatus = badBody instanceof HttpException h ? h.getCode() : 400;
        int status = tooLarge != null ? 413 : badBody != null ? bodyStatus : timeout ? 504 : 502;
        String message = tooLarge != null ? tooLarge.getMessage() : badBody != null
                ? (bodyStatus == 408 ? badBody.getMessage() : "malformed request body: " + describe(badBody)) : timeout
                ? "upstream did not answer within " + config.upstreamTimeout().toMillis() + " ms"
                : connectionFailure(failure);
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

    /** Why the exchange failed before the upstream answered: its TLS certificate refused, the handshake failed, or the connection. */
    static String connectionFailure(Throwable failure) {
        boolean handshake = false;
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof java.security.cert.CertificateException || c instanceof java.security.cert.CertPathValidatorException
                    || c instanceof java.security.cert.CertPathBuilderException)
                return "upstream TLS certificate refused: " + describe(failure);
            if (c instanceof javax.net.ssl.SSLException) handshake = true;
        }
        return (handshake ? "upstream TLS handshake failed: " : "upstream unreachable: ") + describe(failure);
    }

    /** The {@code X-Forwarded-For} the upstream gets: the one the client sent, with {@code peer} appended (the nearest hop last). */
    static String forwardedFor(String sent, String peer) {
        return sent == null || sent.isBlank() ? peer : sent + ", " + peer;
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
