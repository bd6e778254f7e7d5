package io.polygate.proxy;

import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.chain.Pin;
import io.polygate.chain.Step;
import io.polygate.observability.AccessEntry;
import io.polygate.observability.AccessLog;
import io.polygate.observability.JsonErrors;
import io.polygate.observability.Metrics;
import io.polygate.observability.RequestIds;
import io.polygate.observability.RequestTrace;
import io.polygate.observability.TraceSpan;
import io.polygate.observability.Tracing;
import io.polygate.session.KeyHash;
import io.polygate.observability.RequestMeters;
import io.polygate.storage.StoreException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.URIUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's request path at the Jetty edge: match the route (longest listen path), run its
 * steps in order, then hand the request to the route's upstream. The route table is swapped whole
 * when APIs change ({@link #routes(RouteTable)}); a request keeps the route it matched, and holds
 * the route's {@link Pin}s (its bundle version) from the match until its response is complete.
 *
 * <p>Threading: the chain runs on the I/O thread that parsed the request up to the first step
 * that may block for this request ({@link Step#mayBlock(Exchange)}: a store round trip, a plugin
 * call), and the rest on the server's worker pool; a route whose steps and upstream cannot block
 * has no thread hand-off at all.
 *
 * <p>Every request gets an {@code X-Request-Id} (the client's, or a new one), which the upstream
 * and the client see; with tracing on, a span of its own and one per step and for the upstream;
 * with the access log on, a line once its response is complete. The exact paths {@code /hello}
 * and {@code /ready} are the gateway's own ({@link HealthEndpoints}), whatever the routes.
 */
public final class ChainHandler extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(ChainHandler.class);

    private final AtomicReference<RouteTable> routes = new AtomicReference<>(RouteTable.empty());
    private final Metrics metrics;
    private final long maxBodyBytes;
    private final MinimumBodyRate minimumBodyRate;
    private final ClientAddresses clientAddresses;
    private final AccessLog accessLog;
    private final Tracing tracing;
    private final HealthEndpoints health;
    private final boolean keyIdsHashed;

    /** Without access log, tracing and health endpoints (tests of the chain alone). */
    public ChainHandler(Metrics metrics, long maxBodyBytes, long minBodyRate, java.time.Duration minBodyRateGrace,
                        ClientAddresses clientAddresses) {
        this(metrics, maxBodyBytes, minBodyRate, minBodyRateGrace, clientAddresses, ChainObservers.NONE);
    }

    /**
     * @param maxBodyBytes     request bodies declared bigger than this get 413; 0 = no limit
     * @param minBodyRate      bytes a second a request body must arrive at, on average (slower: 408); 0 = no minimum
     * @param minBodyRateGrace how long a body is read before its rate is judged
     * @param clientAddresses  who the client of a request is ({@code trusted_proxies})
     */
    public ChainHandler(Metrics metrics, long maxBodyBytes, long minBodyRate, java.time.Duration minBodyRateGrace,
                        ClientAddresses clientAddresses, ChainObservers observers) {
        super(InvocationType.NON_BLOCKING);
        this.metrics = metrics;
        this.maxBodyBytes = maxBodyBytes;
        this.minimumBodyRate = new MinimumBodyRate(minBodyRate, minBodyRateGrace, metrics);
        this.clientAddresses = clientAddresses;
        this.accessLog = observers.accessLog();
        this.tracing = observers.tracing();
        this.health = observers.health();
        this.keyIdsHashed = observers.keyIdsHashed();
    }

    public void routes(RouteTable table) { routes.set(table); }

    public RouteTable routes() { return routes.get(); }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String canonical = request.getHttpURI().getCanonicalPath();
        if (health != null && HealthEndpoints.reserved(canonical)) {
            health.handle(canonical, request, response, callback, getServer().getThreadPool());
            return true;
        }
        long start = System.nanoTime();
        String requestId = RequestIds.of(request.getHeaders().get(RequestIds.HEADER));
        Route route = routeOf(request);
        // a route whose bundle version was retired and went idle between the match and here: match again
        for (int attempt = 0; route != null && !route.pins().isEmpty() && !route.retain(); attempt++) {
            if (attempt == 100) {
                JsonErrors.write(response, callback, 503, "the API is being reloaded, try again");
                return true;
            }
            route = routeOf(request);
        }
        RequestTrace trace = tracing.enabled() ? tracing.start(request.getHeaders(),
                route == null ? request.getMethod() : request.getMethod() + " " + route.listenPath(), request.getMethod(),
                request.getHttpURI().getPath(), clientIp(request), Request.getRemoteAddr(request)) : null;
        return handle(request, route, response, new Recorded(callback, route, request, response, start, requestId, trace));
    }

    /** The client's address as {@code trusted_proxies} make it out, else the peer's. */
    private String clientIp(Request request) {
        java.net.InetAddress client = clientAddresses.apply(request);
        return client == null ? Request.getRemoteAddr(request) : client.getHostAddress();
    }

    private Route routeOf(Request request) {
        String canonical = request.getHttpURI().getCanonicalPath();
        return canonical == null ? null : routes.get().match(canonical);
    }

    /**
     * Records the request when its response is complete: in the metrics (its duration, and the
     * upstream's time when it got that far), its spans, and the access log. Carries the request's id
     * and spans until its {@link Exchange} exists.
     */
    private final class Recorded implements Callback {
        private final Callback delegate;
        private final Route route;
        private final Request request;
        private final Response response;
        private final long start;
        final String requestId;
        final RequestTrace trace;
        /** Set once the chain runs (a request refused before it has none); read when the response is complete. */
        volatile Exchange exchange;
        /** Guards the release of the route's pins; only routes with pins need one. */
        private final java.util.concurrent.atomic.AtomicBoolean unpinned;

        Recorded(Callback delegate, Route route, Request request, Response response, long start, String requestId, RequestTrace trace) {
            this.delegate = delegate;
            this.route = route;
            this.request = request;
            this.response = response;
            this.start = start;
            this.requestId = requestId;
            this.trace = trace;
            this.unpinned = route == null || route.pins().isEmpty() ? null : new java.util.concurrent.atomic.AtomicBoolean();
        }

        @Override
        public void succeeded() {
            complete(response.getStatus());
            delegate.succeeded();
        }

        @Override
        public void failed(Throwable x) {
            complete(599);
            delegate.failed(x);
        }

        private void complete(int status) {
            long end = System.nanoTime();
            String apiId = route == null ? null : route.api().apiId();
            Exchange e = exchange;
            long upstreamStart = e == null ? -1 : e.upstreamStartNanos();
            RequestMeters meters = metrics.requests(apiId);
            meters.record(request.getMethod(), status, end - start);
            if (upstreamStart >= 0) meters.upstream(end - upstreamStart);
            unpin();
            if (trace != null) trace.finish(apiId, requestId, status);
            if (accessLog.enabled()) {
                String key = e == null ? null : e.keyId();
                accessLog.write(new AccessEntry(Instant.ofEpochMilli(Request.getTimeStamp(request)), requestId, apiId,
                        request.getMethod(), request.getHttpURI().getPath(), request.getHttpURI().getQuery(), status,
                        Request.getContentBytesRead(request), Response.getContentBytesWritten(response), end - start,
                        upstreamStart < 0 ? -1 : end - upstreamStart, e == null ? Request.getRemoteAddr(request) : e.clientAddress(),
                        key == null || keyIdsHashed ? key : KeyHash.of(key)));
            }
        }

        private void unpin() {
            if (unpinned != null && unpinned.compareAndSet(false, true)) route.release();
        }

        @Override
        public InvocationType getInvocationType() { return delegate.getInvocationType(); }
    }

    private boolean handle(Request request, Route route, Response response, Recorded callback) {
        String canonical = request.getHttpURI().getCanonicalPath();
        response.getHeaders().put(RequestIds.HEADER, callback.requestId);
        if (canonical == null || canonical.isEmpty() || canonical.charAt(0) != '/') {
            JsonErrors.write(response, callback, 400, "malformed request path");
            return true;
        }
        if (route == null) {
            JsonErrors.write(response, callback, 404, "no API is listening on " + canonical);
            return true;
        }
        if (maxBodyBytes > 0 && request.getLength() > maxBodyBytes) {
            JsonErrors.write(response, callback, 413, "request body of " + request.getLength()
                    + " bytes is over the limit of " + maxBodyBytes);
            return true;
        }
        Exchange exchange = new Exchange(minimumBodyRate.watch(request), route.api().apiId(),
                upstreamPath(route, request.getHttpURI().getPath(), canonical), clientAddresses, callback.requestId, callback.trace);
        callback.exchange = exchange;
        run(exchange, route, 0, false, response, callback);
        return true;
    }

    /**
     * Runs the route's steps from {@code from}, then the upstream; returns at once when a step
     * suspends. Not {@code onWorker}: hands the rest to a worker before a step or upstream that may block.
     */
    private void run(Exchange exchange, Route route, int from, boolean onWorker, Response response, Callback callback) {
        List<Step> steps = route.steps();
        for (int i = from; i < steps.size(); i++) {
            Step step = steps.get(i);
            if (!onWorker && step.mayBlock(exchange)) {
                runOnWorker(exchange, route, i, response, callback);
                return;
            }
            TraceSpan span = exchange.trace() == null ? null : exchange.trace().step(step.name(), step.phase().name().toLowerCase(Locale.ROOT));
            Outcome outcome;
            try {
                outcome = step.apply(exchange);
            } catch (Throwable e) {
                if (span != null) span.fail(e);
                fail(exchange, route, step, e, response, callback);
                return;
            }
            if (!answer(exchange, route, step, i, outcome, span, response, callback)) return;
        }
        if (!onWorker && route.upstream().mayBlock()) {
            runOnWorker(exchange, route, steps.size(), response, callback);
            return;
        }
        exchange.addResponseHeadersTo(response);
        if (exchange.trace() != null) exchange.trace().startUpstream(exchange.mutableHeaders());
        exchange.upstreamStarted(System.nanoTime());
        route.upstream().forward(exchange, response, callback);
    }

    private void runOnWorker(Exchange exchange, Route route, int from, Response response, Callback callback) {
        getServer().getThreadPool().execute(() -> {
            try {
                run(exchange, route, from, true, response, callback);
            } catch (Throwable t) {
                callback.failed(t);
            }
        });
    }

    /** Ends a step's span, if it has one, with the outcome of the step. */
    private static void ended(TraceSpan span, Outcome outcome, Throwable error) {
        if (span == null) return;
        if (error != null) span.fail(error);
        else if (outcome instanceof Outcome.Respond r) span.answered(r.status());
        else span.end();
    }

    /** Acts on a step's outcome (and ends the step's span, when it is over); true when the chain goes on with the next step. */
    private boolean answer(Exchange exchange, Route route, Step step, int index, Outcome outcome, TraceSpan span,
                           Response response, Callback callback) {
        if (!(outcome instanceof Outcome.Suspend)) ended(span, outcome, null);
        if (outcome instanceof Outcome.Respond r) {
            if (r.headers() != null) response.getHeaders().add(r.headers());
            exchange.addResponseHeadersTo(response);
            response.setStatus(r.status());
            if (r.contentType() != null) response.getHeaders().put(HttpHeader.CONTENT_TYPE, r.contentType());
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, r.body().length);
            response.write(true, ByteBuffer.wrap(r.body()), callback);
            return false;
        }
        if (outcome instanceof Outcome.Suspend s) {
            // the rest of the chain runs where the step's work completed (a store's I/O thread, say),
            // up to a step that may block
            s.resume().whenComplete((next, error) -> resume(exchange, route, step, index, next, error, span, response, callback));
            return false;
        }
        return true;
    }

    private void resume(Exchange exchange, Route route, Step step, int index, Outcome next, Throwable error, TraceSpan span,
                        Response response, Callback callback) {
        if (error != null) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
            ended(span, null, cause);
            // off the request thread nobody else would answer the client: an Error becomes a 500 too
            fail(exchange, route, step, cause instanceof Exception ? cause : new IllegalStateException(cause), response, callback);
        } else if (answer(exchange, route, step, index, next, span, response, callback)) {
            run(exchange, route, index + 1, false, response, callback);
        }
    }

    private void fail(Exchange exchange, Route route, Step step, Throwable e, Response response, Callback callback) {
        String id = JsonErrors.newErrorId();
        if (e instanceof StoreException) {
            LOG.error("api={} step={} error_id={}: storage unavailable: {}", route.api().apiId(), step.name(), id, e.getMessage());
            respond(exchange, response, callback, 503, JsonErrors.body(503, "storage unavailable", id));
        } else if (e instanceof Exception || e instanceof StackOverflowError) {
            LOG.error("api={} step={} error_id={}: {}", route.api().apiId(), step.name(), id, e.toString(), e);
            respond(exchange, response, callback, 500, JsonErrors.body(500, "internal gateway error", id));
        } else {
            if (e instanceof Error err) throw err;
            throw new IllegalStateException(e);
        }
    }

    private static void respond(Exchange exchange, Response response, Callback callback, int status, byte[] body) {
        exchange.addResponseHeadersTo(response);
        JsonErrors.write(response, callback, status, body);
    }

    /** The path to send upstream, still URL-encoded: the raw path, minus the listen path if the API strips it. */
    static String upstreamPath(Route route, String rawPath, String canonicalPath) {
        String lp = route.listenPath();
        if (!route.api().stripListenPath() || lp.equals("/")) return rawPath;
        if (rawPath.startsWith(lp) && (rawPath.length() == lp.length() || rawPath.charAt(lp.length()) == '/'))
            return rawPath.substring(lp.length());
        // the client encoded part of the listen path: strip from the decoded path and re-encode the rest
        return URIUtil.encodePath(canonicalPath.substring(lp.length()));
    }
}
