package io.polygate.plugin.polyglot;

import static io.polygate.plugin.polyglot.TykHttpMessages.str;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.polygate.config.GatewayConfig.OutboundHttpConfig;
import io.polygate.observability.Metrics;
import io.polygate.sdk.json.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outbound HTTP from plugins: the host side of Tyk's {@code TykMakeHttpRequest} and
 * {@code TykBatchRequest}, with Tyk's JSON shapes in and out.
 *
 * <p>Nothing is allowed by default: a bundle reaches only the hosts {@code plugins.outbound_http.allow}
 * lists for it, never the gateway's admin port (checked on the resolved addresses, so a name that
 * resolves to this machine is refused too), within a timeout below the hook's time limit and a
 * response size cap. Redirects are not followed. A refused or failed call gives the plugin no
 * response (Tyk's {@code undefined}) and logs one line; every call is counted in
 * {@code polygate_plugin_http_requests_total{bundle,outcome}} and timed in
 * {@code polygate_plugin_http_request_duration_seconds{bundle,outcome}}.
 *
 * <p>Threading: one instance per gateway, used from any request thread; a call blocks its thread
 * (the hook's worker thread) for at most the timeout. The HTTP client starts with the first bundle
 * that has an allow-list, so a gateway whose plugins may not call out never starts it.
 */
public final class OutboundHttp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutboundHttp.class);
    private static final ObjectMapper JSON = Json.GUEST_ARGUMENTS;

    /** How one outbound call ended, the {@code outcome} label of its metrics. */
    enum Outcome { OK, REFUSED, TIMEOUT, TOO_LARGE, ERROR }

    private final OutboundHttpConfig config;
    private final Duration timeout;
    private final IntSupplier adminPort;
    private final Metrics metrics;
    private volatile HttpClient client;

    /**
     * @param hookTimeout the hooks' time limit: an outbound call ends before it (at most 90% of it)
     * @param adminPort   the gateway's admin port, refused on every local address (0: none)
     */
    public OutboundHttp(OutboundHttpConfig config, Duration hookTimeout, IntSupplier adminPort, Metrics metrics) {
        this.config = config;
        Duration cap = hookTimeout.multipliedBy(9).dividedBy(10);
        this.timeout = config.timeout().compareTo(cap) < 0 ? config.timeout() : cap;
        this.adminPort = adminPort;
        this.metrics = metrics;
    }

    /** One that allows no host (tools and benchmarks without a gateway). */
    public static OutboundHttp denyAll(Duration hookTimeout) {
        return new OutboundHttp(OutboundHttpConfig.defaults(hookTimeout), hookTimeout, () -> 0, new Metrics());
    }

    /**
     * What one bundle's plugins may call, and its metric series. Called while the bundle loads: the
     * client is started then for a bundle that may call out, so that its first call does not pay
     * for it within the hook's time limit.
     */
    public Caller forBundle(String bundle) {
        List<String> allowed = config.allow().getOrDefault(bundle, List.of());
        if (!allowed.isEmpty()) client();
        return new Caller(bundle, OutboundAllowList.of(allowed));
    }

    /** A call the allow-list or the admin-port rule refused, or that cannot be made as given. */
    static final class Refused extends IOException {
        Refused(String message) { super(message); }
    }

    /** One bundle's view: its allow-list and its metric series, made once per bundle version. */
    public final class Caller {
        private final String bundle;
        private final OutboundAllowList allow;
        private final Map<Outcome, Counter> counts = new EnumMap<>(Outcome.class);
        private final Map<Outcome, Timer> durations = new EnumMap<>(Outcome.class);

        private Caller(String bundle, OutboundAllowList allow) {
            this.bundle = bundle;
            this.allow = allow;
            for (Outcome o : Outcome.values()) {
                String label = o.name().toLowerCase(Locale.ROOT);
                counts.put(o, metrics.counter("polygate.plugin.http.requests",
                        "Outbound HTTP calls of plugins (TykMakeHttpRequest, TykBatchRequest), by bundle and outcome", "bundle", bundle, "outcome", label));
                durations.put(o, metrics.timer("polygate.plugin.http.request.duration",
                        "Duration of plugins' outbound HTTP calls, by bundle and outcome", "bundle", bundle, "outcome", label));
            }
        }

        /**
         * {@code TykMakeHttpRequest(json)}: the response as Tyk's {@code TykJSHttpResponse} JSON
         * ({@code Code}, {@code Body}, {@code Headers} and their lower-case twins), or null when
         * the argument is not a request, the call is refused or it fails (logged).
         */
        public String request(String requestJson) {
            TykHttpMessages.TykRequest r = parse(requestJson, TykHttpMessages.TykRequest.class, "TykMakeHttpRequest", "request object");
            if (r == null) return null;
            String url = str(r.domain()) + str(r.resource());
            String body = !str(r.body()).isEmpty() ? r.body() : r.formData() == null || r.formData().isEmpty() ? "" : TykHttpMessages.formEncode(r.formData());
            ContentResponse response = await(url, start(url, r.method(), r.headers(), body), "TykMakeHttpRequest");
            if (response == null) return null;
            Map<String, List<String>> headers = TykHttpMessages.goHeaders(response);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("Code", response.getStatus());
            out.put("Body", response.getContentAsString());
            out.put("Headers", headers);
            out.put("code", response.getStatus());
            out.put("body", response.getContentAsString());
            out.put("headers", headers);
            return write(out);
        }

        /**
         * {@code TykBatchRequest(json)}: Tyk's list of {@code BatchReplyUnit}s ({@code relative_url},
         * {@code code}, {@code headers}, {@code body}) in request order, a failed or refused request
         * as Tyk's empty unit; null when the argument is not a batch (logged). Requests run in
         * parallel unless {@code suppress_parallel_execution}.
         */
        public String batch(String batchJson) {
            TykHttpMessages.Batch b = parse(batchJson, TykHttpMessages.Batch.class, "TykBatchRequest", "batch");
            if (b == null) return null;
            List<TykHttpMessages.BatchItem> items = b.requests() == null ? List.of() : b.requests();
            List<Pending> pending = new ArrayList<>();
            List<Map<String, Object>> replies = new ArrayList<>();
            for (TykHttpMessages.BatchItem item : items) {
                Pending p = start(str(item.url()), item.method(), item.headers(), str(item.body()));
                if (b.sequential()) replies.add(reply(item, await(item.url(), p, "TykBatchRequest")));
                else pending.add(p);
            }
            for (int i = 0; i < pending.size(); i++) replies.add(reply(items.get(i), await(items.get(i).url(), pending.get(i), "TykBatchRequest")));
            return write(replies);
        }

        /** The call's argument, or null (logged) when it is not JSON of that shape. */
        private <T> T parse(String json, Class<T> type, String call, String shape) {
            try {
                T value = JSON.readValue(json, type);
                if (value != null) return value;
            } catch (JsonProcessingException e) {
                LOG.error("[{}] {}: the argument is not a JSON {} ({}): {}", bundle, call, shape, e.getOriginalMessage(), abbreviate(json));
                return null;
            }
            LOG.error("[{}] {}: the argument is not a JSON {}: {}", bundle, call, shape, abbreviate(json));
            return null;
        }

        private Map<String, Object> reply(TykHttpMessages.BatchItem item, ContentResponse r) {
            Map<String, Object> unit = new LinkedHashMap<>();
            unit.put("relative_url", r == null ? "" : str(item.url()));
            unit.put("code", r == null ? 0 : r.getStatus());
            unit.put("headers", r == null ? null : TykHttpMessages.goHeaders(r));
            unit.put("body", r == null ? "" : r.getContentAsString());
            return unit;
        }

        /** A call on its way, or the reason it was not sent. */
        private record Pending(long startNanos, CompletableFuture<ContentResponse> response, Refused refused) {}

        private Pending start(String url, String method, Map<String, String> headers, String body) {
            long t0 = System.nanoTime();
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                return new Pending(t0, null, new Refused("\"" + url + "\" is not a URL"));
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null)
                return new Pending(t0, null, new Refused("\"" + url + "\" is not an absolute http(s) URL"));
            int port = HttpClient.normalizePort(scheme, uri.getPort());
            if (!allow.permits(uri.getHost(), port))
                return new Pending(t0, null, new Refused("host " + uri.getHost() + ":" + port
                        + " is not allowed for bundle \"" + bundle + "\" (plugins.outbound_http.allow)"));
            try {
                Request req = client().newRequest(uri)
                        .method(method == null || method.isBlank() ? "GET" : method.toUpperCase(Locale.ROOT))
                        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .followRedirects(false);
                if (headers != null) req.headers(h -> headers.forEach((k, v) -> h.put(k, str(v))));
                if (!body.isEmpty()) req.body(new BytesRequestContent((String) null, body.getBytes(StandardCharsets.UTF_8)));
                return new Pending(t0, new CompletableResponseListener(req, (int) config.maxResponseBytes()).send(), null);
            } catch (IllegalArgumentException e) {
                return new Pending(t0, null, new Refused("the request cannot be sent: " + e.getMessage()));
            }
        }

        /** Waits for a call; its response, or null (logged) when it was refused or failed. */
        private ContentResponse await(String url, Pending p, String what) {
            Outcome outcome;
            String problem;
            try {
                if (p.refused() != null) throw new ExecutionException(p.refused());
                // the request's own timeout ends it; the margin only guards against a lost completion
                ContentResponse r = p.response().get(timeout.toMillis() + 250, TimeUnit.MILLISECONDS);
                record(Outcome.OK, p.startNanos());
                return r;
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                outcome = c instanceof Refused ? Outcome.REFUSED
                        : c instanceof TimeoutException ? Outcome.TIMEOUT
                        : c instanceof IllegalArgumentException && String.valueOf(c.getMessage()).contains("capacity") ? Outcome.TOO_LARGE
                        : Outcome.ERROR;
                problem = switch (outcome) {
                    case REFUSED -> "refused: " + c.getMessage();
                    case TIMEOUT -> "timed out after " + timeout.toMillis() + " ms (plugins.outbound_http.timeout)";
                    case TOO_LARGE -> "the response is larger than " + config.maxResponseBytes() + " bytes (plugins.outbound_http.max_response_bytes)";
                    default -> "failed: " + c;
                };
            } catch (TimeoutException e) {
                p.response().cancel(true);
                outcome = Outcome.TIMEOUT;
                problem = "timed out after " + timeout.toMillis() + " ms (plugins.outbound_http.timeout)";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.response().cancel(true);
                outcome = Outcome.ERROR;
                problem = "interrupted";
            }
            record(outcome, p.startNanos());
            LOG.warn("[{}] {} {}: {}", bundle, what, url, problem);
            return null;
        }

        private void record(Outcome o, long startNanos) {
            counts.get(o).increment();
            durations.get(o).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        }
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c != null) return c;
        synchronized (this) {
            if (client == null) {
                HttpClient created = new HttpClient();
                created.setSocketAddressResolver(new AdminPortGuard(adminPort));
                created.setConnectTimeout(timeout.toMillis());
                created.setFollowRedirects(false);
                created.setUserAgentField(null);
                created.setDefaultRequestContentType(null); // as Go: a body without a Content-Type header gets none
                created.setMaxConnectionsPerDestination(16);
                created.setIdleTimeout(30_000);
                try {
                    created.start();
                } catch (Exception e) {
                    throw new IllegalStateException("cannot start the plugins' HTTP client: " + e.getMessage(), e);
                }
                client = created;
            }
            return client;
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "undefined" : s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    private static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (client == null) return;
        try {
            client.stop();
        } catch (Exception e) {
            LOG.debug("stopping the plugins' HTTP client: {}", e.toString());
        }
    }
}
