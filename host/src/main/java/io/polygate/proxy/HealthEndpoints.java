package io.polygate.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.observability.JsonErrors;
import io.polygate.sdk.json.Json;
import io.polygate.storage.Store;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway port's own two paths, answered before any API route and without authentication
 * (Tyk reserves {@code /hello} the same way: an API listening on {@code /} never sees them):
 * <ul>
 *   <li>{@code GET /hello}, liveness in Tyk's shape: always 200 while the process serves; the body's
 *       {@code status} is {@code pass}, or {@code warn} when the store does not answer.</li>
 *   <li>{@code GET /ready}, readiness: 503 until the store answers and every bundle an API names is
 *       loaded (a bundle that is loading, failed or missing keeps it 503, named in the body); 200 after.</li>
 * </ul>
 * Only the exact paths are reserved ({@code /hello/x} goes to the APIs). Both ping the store, so
 * they run on a worker thread.
 */
public final class HealthEndpoints {
    public static final String HELLO = "/hello";
    public static final String READY = "/ready";
    private static final Logger LOG = LoggerFactory.getLogger(HealthEndpoints.class);

    private final Store store;
    private final String version;
    private final Supplier<Map<String, String>> bundlesNotReady;

    /**
     * @param version         the gateway's version, answered by {@code /hello}
     * @param bundlesNotReady the bundles APIs name that serve no version yet, each with its state
     *                        ({@code loading}, {@code failed}, {@code missing})
     */
    public HealthEndpoints(Store store, String version, Supplier<Map<String, String>> bundlesNotReady) {
        this.store = store;
        this.version = version;
        this.bundlesNotReady = bundlesNotReady;
    }

    /** Whether {@code canonicalPath} is one of the reserved paths. */
    public static boolean reserved(String canonicalPath) {
        return HELLO.equals(canonicalPath) || READY.equals(canonicalPath);
    }

    /** Answers a request to a {@link #reserved} path on {@code executor}. */
    void handle(String canonicalPath, Request request, Response response, Callback callback, Executor executor) {
        if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            JsonErrors.write(response, callback, 405, canonicalPath + " answers GET and HEAD, not " + request.getMethod());
            return;
        }
        executor.execute(() -> {
            try {
                ObjectNode body = HELLO.equals(canonicalPath) ? hello() : ready();
                int status = HELLO.equals(canonicalPath) || "pass".equals(body.path("status").asText()) ? 200 : 503;
                write(response, callback, status, body);
            } catch (RuntimeException e) {
                LOG.warn("{} failed: {}", canonicalPath, e.toString());
                callback.failed(e);
            }
        });
    }

    private ObjectNode hello() {
        boolean up = store.ping();
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("status", up ? "pass" : "warn");
        n.put("version", version);
        n.put("description", "Polygate");
        ObjectNode component = n.putObject("details").putObject(storeName());
        component.put("status", up ? "pass" : "fail");
        component.put("componentType", "datastore");
        if (!up) component.put("output", "the store does not answer: " + store.describe());
        component.put("time", Instant.now().toString());
        return n;
    }

    private ObjectNode ready() {
        boolean up = store.ping();
        Map<String, String> waiting = bundlesNotReady.get();
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("status", up && waiting.isEmpty() ? "pass" : "fail");
        ObjectNode details = n.putObject("details");
        details.putObject(storeName()).put("status", up ? "pass" : "fail");
        ObjectNode bundles = details.putObject("bundles");
        bundles.put("status", waiting.isEmpty() ? "pass" : "fail");
        if (!waiting.isEmpty()) waiting.forEach(bundles.putObject("not_ready")::put);
        return n;
    }

    /** Tyk's key for the store component is {@code redis}; the in-memory store is {@code memory}. */
    private String storeName() {
        return store.remote() ? "redis" : "memory";
    }

    private static void write(Response response, Callback callback, int status, ObjectNode body) {
        try {
            JsonErrors.write(response, callback, status, Json.MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
