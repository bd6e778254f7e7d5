package io.polygate.admin;

import static io.polygate.admin.AdminRequests.JSON;
import static io.polygate.admin.AdminRequests.methodNotAllowed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.admin.AdminRequests.AdminError;
import io.polygate.admin.AdminRequests.Reply;
import io.polygate.assembly.ApiRegistry;
import io.polygate.limit.Limits;
import io.polygate.observability.JsonErrors;
import io.polygate.observability.Metrics;
import io.polygate.session.SessionStore;
import io.polygate.storage.Store;
import io.polygate.storage.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API, on its own port. Every call carries the admin secret in {@code X-Polygate-Secret}
 * (Tyk's {@code X-Tyk-Authorization} is accepted too), compared in constant time; a wrong or
 * missing secret is a 401 and a log line. JSON in and out; a bad body is a 400 whose {@code errors}
 * name each field, and nothing is changed. The {@code /tyk/...} paths answer as Tyk's Gateway API
 * ({@link TykGatewayApi}), a wrong secret there too (403). This class checks the secret, routes to
 * the resources ({@link KeyResource}, {@link ApiResource}, {@link PolicyResource},
 * {@link BundleAdmin}) and turns their answers and errors into responses.
 *
 * <pre>
 * GET    /health          GET /metrics (Prometheus text)
 * GET    /apis            POST /apis            GET|PUT|DELETE /apis/{api_id}
 * GET    /keys            POST /keys            POST|GET|PUT|DELETE /keys/{key}
 * GET    /policies        POST /policies        GET|PUT|DELETE /policies/{id}
 * GET    /limits/stats    (limit counters: store errors, fail-open/closed, 429s, quota, throttling, smoothing)
 * GET    /bundles         POST /bundles?name=N (zip body)   GET|DELETE /bundles/{name}
 * POST   /bundles/reload  POST /reload          POST /bundles/{name}/reload   (docs/bundles.md)
 * </pre>
 */
public class AdminHandler extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
    public static final String SECRET_HEADER = "X-Polygate-Secret";

    private final byte[] secretDigest;
    private final ApiRegistry apis;
    private final Store store;
    private volatile BundleAdmin bundles;
    private final Metrics metrics;
    private final Limits limits;
    private final TykGatewayApi tyk;
    private final KeyResource keys;
    private final ApiResource apiResource;
    private final PolicyResource policies;

    public AdminHandler(String secret, ApiRegistry apis, SessionStore sessions, Store store, Metrics metrics) {
        this(secret, apis, sessions, store, metrics, null);
    }

    public AdminHandler(String secret, ApiRegistry apis, SessionStore sessions, Store store, Metrics metrics, Limits limits) {
        super(InvocationType.BLOCKING);
        this.secretDigest = sha256(secret);
        this.apis = apis;
        this.store = store;
        this.metrics = metrics;
        this.limits = limits;
        this.keys = new KeyResource(sessions, limits);
        this.apiResource = new ApiResource(apis);
        this.policies = limits == null || limits.policies() == null ? null : new PolicyResource(limits.policies());
        this.tyk = new TykGatewayApi(apis, sessions, limits == null ? null : limits.policies(), keys::keyDetail);
    }

    /** Enables {@code /bundles} (list, upload, get, delete, reload) and {@code POST /reload}. */
    public AdminHandler bundles(io.polygate.bundle.BundleStore store, long maxZipBytes) {
        BundleAdmin admin = new BundleAdmin(store, apis, maxZipBytes);
        this.bundles = admin;
        tyk.reloadWith(admin::reload);
        return this;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getCanonicalPath();
        if (path == null) path = "/";
        if (path.length() > 1 && path.endsWith("/")) path = path.substring(0, path.length() - 1);
        boolean tykPath = path.equals("/tyk") || path.startsWith("/tyk/");
        if (!authorised(request)) {
            LOG.warn("admin: refused {} {} from {}: wrong or missing admin secret", request.getMethod(),
                    request.getHttpURI().getPath(), Request.getRemoteAddr(request));
            if (tykPath) writeError(response, callback, true, 403, TykGatewayApi.FORBIDDEN, null, null);
            else JsonErrors.write(response, callback, 401, "admin secret missing or wrong (send it in " + SECRET_HEADER + ")");
            return true;
        }
        if (path.equals("/metrics") && request.getMethod().equals("GET")) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            Content.Sink.write(response, true, metrics.render(), callback);
            return true;
        }
        String local = tykPath ? path.substring("/tyk".length()) : path;
        String[] seg = (local.isEmpty() ? "" : local.substring(1)).split("/", -1);
        try {
            Reply reply = tykPath ? tyk.route(request, request.getMethod(), seg) : route(request, request.getMethod(), seg);
            if (reply == null) throw new AdminError(404, "no admin endpoint " + request.getMethod() + " " + path);
            byte[] body = JSON.writeValueAsBytes(reply.body());
            response.setStatus(reply.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, ByteBuffer.wrap(body), callback);
        } catch (AdminError e) {
            LOG.info("admin: {} {} -> {}: {}", request.getMethod(), path, e.status, e.getMessage());
            writeError(response, callback, tykPath, e.status, e.getMessage(), null, e.details);
        } catch (ApiRegistry.Conflict e) {
            LOG.info("admin: {} {} -> {}: {}", request.getMethod(), path, e.status, e.getMessage());
            writeError(response, callback, tykPath, e.status, e.getMessage(), null, null);
        } catch (StoreException e) {
            String id = JsonErrors.newErrorId();
            LOG.error("admin: {} {} error_id={}: {}", request.getMethod(), path, id, e.getMessage());
            writeError(response, callback, tykPath, 503, "storage unavailable: " + e.getMessage(), id, null);
        } catch (Exception e) {
            String id = JsonErrors.newErrorId();
            LOG.error("admin: {} {} error_id={}", request.getMethod(), path, id, e);
            writeError(response, callback, tykPath, 500, "internal error: " + e.getMessage(), id, null);
        }
        return true;
    }

    /** Polygate's error body, or Tyk's {@code {"status":"error","message":...}} on the /tyk paths (the error id in the message). */
    private static void writeError(Response response, Callback callback, boolean tykPath, int status, String message,
                                   String errorId, List<String> details) {
        if (!tykPath) {
            JsonErrors.write(response, callback, status, JsonErrors.body(status, message, errorId, details));
            return;
        }
        try {
            String text = errorId == null ? message : message + " (error_id " + errorId + ")";
            JsonErrors.write(response, callback, status, JSON.writeValueAsBytes(TykGatewayApi.error(text)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Dispatches one call; null = no such endpoint. Subclasses add endpoints and call super. */
    protected Reply route(Request request, String method, String[] seg) throws IOException {
        switch (seg[0]) {
            case "health":
                if (seg.length == 1 && method.equals("GET")) return health();
                return null;
            case "apis":
                return apiResource.route(request, method, seg);
            case "keys":
                return keys.route(request, method, seg);
            case "bundles":
                return bundles == null ? null : bundles.route(request, method, seg);
            case "reload":
                if (seg.length != 1 || bundles == null) return null;
                if (!method.equals("POST")) throw methodNotAllowed(method, "POST");
                return bundles.reload();
            case "policies":
                return policies == null ? null : policies.route(request, method, seg);
            case "limits":
                if (limits == null || seg.length != 2 || !seg[1].equals("stats")) return null;
                if (!method.equals("GET")) throw methodNotAllowed(method, "GET");
                return new Reply(200, limits.metrics().snapshot());
            default:
                return null;
        }
    }

    private Reply health() {
        boolean up = store.ping();
        ObjectNode n = JSON.createObjectNode();
        n.put("status", up ? "pass" : "fail");
        n.putObject("storage").put("store", store.describe()).put("up", up);
        n.put("apis", apis.list().size());
        ObjectNode jvm = n.putObject("jvm");
        java.lang.management.MemoryUsage heap = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        jvm.put("heap_used_bytes", heap.getUsed());
        jvm.put("heap_max_bytes", heap.getMax());
        long peak = 0;
        for (java.lang.management.MemoryPoolMXBean pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP) peak += pool.getPeakUsage().getUsed();
        }
        jvm.put("heap_peak_used_bytes", peak);
        return new Reply(up ? 200 : 503, n);
    }

    private boolean authorised(Request request) {
        String given = request.getHeaders().get(SECRET_HEADER);
        if (given == null) given = request.getHeaders().get("X-Tyk-Authorization");
        if (given == null) return false;
        return MessageDigest.isEqual(sha256(given), secretDigest);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
