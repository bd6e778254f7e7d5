package io.polygate.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.assembly.ApiRegistry;
import io.polygate.session.Policy;
import io.polygate.session.PolicyStore;
import io.polygate.session.Session;
import io.polygate.session.SessionStore;
import io.polygate.config.ApiDefinition;
import io.polygate.config.ApiDefinitions;
import io.polygate.config.ConfigErrors;
import io.polygate.config.Node;
import io.polygate.limit.Limits;
import io.polygate.observability.JsonErrors;
import io.polygate.observability.Metrics;
import io.polygate.storage.Store;
import io.polygate.storage.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
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
 * ({@link TykGatewayApi}), a wrong secret there too (403).
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
    static final ObjectMapper JSON = new ObjectMapper();
    public static final String SECRET_HEADER = "X-Polygate-Secret";
    static final int MAX_BODY = 4 << 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] secretDigest;
    private final ApiRegistry apis;
    private final SessionStore sessions;
    private final Store store;
    private volatile BundleAdmin bundles;
    private final Metrics metrics;
    private final Limits limits;
    private final TykGatewayApi tyk;

    public AdminHandler(String secret, ApiRegistry apis, SessionStore sessions, Store store, Metrics metrics) {
        this(secret, apis, sessions, store, metrics, null);
    }

    public AdminHandler(String secret, ApiRegistry apis, SessionStore sessions, Store store, Metrics metrics, Limits limits) {
        super(InvocationType.BLOCKING);
        this.secretDigest = sha256(secret);
        this.apis = apis;
        this.sessions = sessions;
        this.store = store;
        this.metrics = metrics;
        this.limits = limits;
        this.tyk = new TykGatewayApi(apis, sessions, limits == null ? null : limits.policies(), this::keyDetail);
    }

    /** Enables {@code /bundles} (list, upload, get, delete, reload) and {@code POST /reload}. */
    public AdminHandler bundles(io.polygate.bundle.BundleStore store, long maxZipBytes) {
        BundleAdmin admin = new BundleAdmin(store, apis, maxZipBytes);
        this.bundles = admin;
        tyk.reloadWith(admin::reload);
        return this;
    }

    /** A problem with the request; becomes a JSON error response. */
    static final class AdminError extends RuntimeException {
        final int status;
        final List<String> details;
        AdminError(int status, String message) { this(status, message, null); }
        AdminError(int status, String message, List<String> details) {
            super(message);
            this.status = status;
            this.details = details;
        }
    }

    /** A JSON answer. */
    record Reply(int status, Object body) {}

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
                if (seg.length == 1) {
                    if (method.equals("GET")) return new Reply(200, apis.list().stream().map(ApiDefinition::source).toList());
                    if (method.equals("POST")) return createApi(readJson(request));
                    throw methodNotAllowed(method, "GET, POST");
                }
                if (seg.length == 2) return api(request, method, seg[1]);
                return null;
            case "keys":
                if (seg.length == 1) {
                    if (method.equals("GET")) return new Reply(200, JSON.createObjectNode().putPOJO("keys", sessions.list()));
                    if (method.equals("POST")) return createKey(newKey(), readBody(request));
                    throw methodNotAllowed(method, "GET, POST");
                }
                if (seg.length == 2) return key(request, method, seg[1]);
                return null;
            case "bundles":
                return bundles == null ? null : bundles.route(request, method, seg);
            case "reload":
                if (seg.length != 1 || bundles == null) return null;
                if (!method.equals("POST")) throw methodNotAllowed(method, "POST");
                return bundles.reload();
            case "policies":
                if (limits == null || limits.policies() == null) return null;
                return policies(request, method, seg);
            case "limits":
                if (limits == null || seg.length != 2 || !seg[1].equals("stats")) return null;
                if (!method.equals("GET")) throw methodNotAllowed(method, "GET");
                return new Reply(200, limits.metrics().snapshot());
            default:
                return null;
        }
    }

    private Reply policies(Request request, String method, String[] seg) throws IOException {
        PolicyStore policies = limits.policies();
        if (seg.length == 1) {
            if (method.equals("GET")) return new Reply(200, JSON.createObjectNode().putPOJO("policies", policies.list()));
            if (method.equals("POST")) {
                Policy p = parsePolicy(readBody(request), null);
                if (!policies.create(p)) throw new AdminError(409, "policy \"" + p.id + "\" already exists (use PUT /policies/" + p.id + " to change it)");
                return new Reply(201, status(p.id, "added"));
            }
            throw methodNotAllowed(method, "GET, POST");
        }
        if (seg.length != 2) return null;
        String id = seg[1];
        switch (method) {
            case "GET": {
                Policy p = policies.find(id);
                if (p == null) throw new AdminError(404, "no policy \"" + id + "\"");
                return new Reply(200, p);
            }
            case "PUT": {
                Policy p = parsePolicy(readBody(request), id);
                if (policies.find(id) == null) throw new AdminError(404, "no policy \"" + id + "\"");
                policies.save(p);
                return new Reply(200, status(id, "modified"));
            }
            case "DELETE":
                if (!policies.delete(id)) throw new AdminError(404, "no policy \"" + id + "\"");
                return new Reply(200, status(id, "deleted"));
            default:
                throw methodNotAllowed(method, "GET, PUT, DELETE");
        }
    }

    static Policy parsePolicy(String body, String id) {
        ConfigErrors errors = new ConfigErrors();
        Policy p = PolicyStore.parse(body, id, errors);
        if (p == null) throw invalid("invalid policy", errors);
        return p;
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

    private Reply api(Request request, String method, String id) throws IOException {
        switch (method) {
            case "GET": {
                ApiDefinition api = apis.get(id);
                if (api == null) throw new AdminError(404, "no API \"" + id + "\"");
                return new Reply(200, api.source());
            }
            case "PUT": {
                JsonNode body = readJson(request);
                if (body.isObject()) {
                    JsonNode given = body.get("api_id");
                    if (given == null || given.isNull()) ((ObjectNode) body).put("api_id", id);
                    else if (!id.equals(given.asText()))
                        throw new AdminError(400, "api_id: \"" + given.asText() + "\" differs from the path's \"" + id + "\"");
                }
                apis.update(parseApi(body));
                return new Reply(200, status(id, "modified"));
            }
            case "DELETE":
                if (!apis.delete(id)) throw new AdminError(404, "no API \"" + id + "\"");
                return new Reply(200, status(id, "deleted"));
            default:
                throw methodNotAllowed(method, "GET, PUT, DELETE");
        }
    }

    private Reply createApi(JsonNode body) {
        ApiDefinition api = parseApi(body);
        apis.create(api);
        return new Reply(201, status(api.apiId(), "added"));
    }

    static ApiDefinition parseApi(JsonNode body) {
        ConfigErrors errors = new ConfigErrors();
        ApiDefinition api = ApiDefinitions.parse(new Node(body, "", errors));
        if (api == null || !errors.isEmpty()) throw invalid("invalid API definition", errors);
        return api;
    }

    private Reply key(Request request, String method, String key) throws IOException {
        switch (method) {
            case "GET": {
                Session s = keyDetail(key);
                if (s == null) throw new AdminError(404, "no key \"" + SessionStore.redact(key) + "\"");
                return new Reply(200, s);
            }
            case "POST":
                return createKey(key, readBody(request));
            case "PUT": {
                Session s = parseSession(readBody(request));
                if (!sessions.exists(key)) throw new AdminError(404, "no key \"" + SessionStore.redact(key) + "\"");
                sessions.save(key, s);
                return new Reply(200, status(key, "modified"));
            }
            case "DELETE":
                if (!sessions.delete(key)) throw new AdminError(404, "no key \"" + SessionStore.redact(key) + "\"");
                return new Reply(200, status(key, "deleted"));
            default:
                throw methodNotAllowed(method, "GET, POST, PUT, DELETE");
        }
    }

    /**
     * The key's session with its own quota as the limiter counts it (the stored session keeps what
     * it was created with); null if there is no such key.
     */
    private Session keyDetail(String key) {
        Session s = sessions.find(key);
        if (s == null || limits == null || limits.quota() == null || s.quota_max <= 0) return s;
        io.polygate.limit.QuotaCounter.Result q = limits.quota().peek(io.polygate.limit.CounterIds.quota(key, null), s.quota_max);
        if (q == null) return s;
        s.quota_remaining = q.remaining();
        if (q.renewsAtMillis() > 0) s.quota_renews = q.renewsAtMillis() / 1000;
        return s;
    }

    private Reply createKey(String key, String body) {
        if (key.isBlank() || key.length() > 256 || !key.chars().allMatch(c -> c > 32 && c < 127))
            throw new AdminError(400, "key: must be 1..256 visible ASCII characters");
        Session s = parseSession(body);
        if (!sessions.create(key, s)) throw new AdminError(409, "key \"" + SessionStore.redact(key) + "\" already exists (use PUT to change it)");
        return new Reply(201, status(key, "added"));
    }

    static Session parseSession(String body) {
        ConfigErrors errors = new ConfigErrors();
        Session s = SessionStore.parse(body, errors);
        if (s == null) throw invalid("invalid session", errors);
        return s;
    }

    static AdminError invalid(String what, ConfigErrors errors) {
        List<String> list = errors.list();
        return new AdminError(400, what + ": " + String.join("; ", list), list);
    }

    private static ObjectNode status(String key, String action) {
        return JSON.createObjectNode().put("key", key).put("status", "ok").put("action", action);
    }

    static AdminError methodNotAllowed(String method, String allowed) {
        return new AdminError(405, "method " + method + " not allowed here (allowed: " + allowed + ")");
    }

    static String newKey() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The request body, at most {@value #MAX_BODY} bytes (413 beyond). */
    protected static byte[] readBytes(Request request, int max) throws IOException {
        long declared = request.getLength();
        if (declared > max) throw new AdminError(413, "body of " + declared + " bytes is over the limit of " + max);
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) throw new AdminError(413, "body is over the limit of " + max + " bytes");
            return b;
        }
    }

    static String readBody(Request request) throws IOException {
        byte[] b = readBytes(request, MAX_BODY);
        if (b.length == 0) throw new AdminError(400, "body: a JSON object is required");
        return new String(b, StandardCharsets.UTF_8);
    }

    static JsonNode readJson(Request request) throws IOException {
        String body = readBody(request);
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || !n.isObject()) throw new AdminError(400, "body: must be a JSON object");
            return n;
        } catch (JsonProcessingException e) {
            throw new AdminError(400, "body: not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        }
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
