package io.polygate.admin;

import io.polygate.assembly.ApiRegistry;
import io.polygate.bundle.BundleStore;
import io.polygate.limit.Limits;
import io.polygate.observability.JsonErrors;
import io.polygate.observability.Metrics;
import io.polygate.session.SessionStore;
import io.polygate.storage.Store;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API, on its own port: the public files ({@link DashboardFiles}: the dashboard at
 * {@code /ui/}, {@code /openapi.json}), then {@link AdminSecretCheck} in front of the paths
 * ({@link AdminRoutes}) and their resources. JSON in and out; a bad body is a 400 whose
 * {@code errors} name each field, and nothing is changed. The {@code /tyk/...} paths answer as
 * Tyk's Gateway API ({@link TykGatewayApi}). This class wires the parts, ignores a trailing
 * {@code /}, and answers what no path handles (404) and every {@link AdminError} a call ends with,
 * in Tyk's shape on the Tyk paths; its log lines and 404 messages show paths with the key masked
 * ({@link AdminLogPaths}).
 *
 * <pre>
 * GET    /health          GET /metrics (Prometheus text)
 * GET    /apis            POST /apis            GET|PUT|DELETE /apis/{api_id}
 * GET    /keys            POST /keys            POST|GET|PUT|DELETE /keys/{key}
 * GET    /policies        POST /policies        GET|PUT|DELETE /policies/{id}
 * GET    /limits/stats    (limit counters: store errors, fail-open/closed, 429s, quota, throttling, smoothing)
 * GET    /bundles         POST /bundles?name=N (zip body)   GET|DELETE /bundles/{name}
 * POST   /bundles/reload  POST /reload          POST /bundles/{name}/reload   (docs/bundles.md)
 * GET    /ui/             GET /openapi.json     (no secret: docs/dashboard.md)
 * </pre>
 */
public final class AdminHandler extends Handler.Wrapper {
    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);

    /** @param maxZipBytes the largest bundle upload ({@code bundles.max_zip_bytes}) */
    public AdminHandler(String secret, ApiRegistry apis, SessionStore sessions, Store store, Metrics metrics, Limits limits,
                        BundleStore bundleStore, long maxZipBytes) {
        super(new DashboardFiles(new AdminSecretCheck(secret, routes(apis, sessions, store, metrics, limits, bundleStore, maxZipBytes))));
    }

    private static AdminRoutes routes(ApiRegistry apis, SessionStore sessions, Store store, Metrics metrics, Limits limits,
                                      BundleStore bundleStore, long maxZipBytes) {
        KeyResource keys = new KeyResource(sessions, limits);
        PolicyResource policies = limits.policies() == null ? null : new PolicyResource(limits.policies());
        TykGatewayApi tyk = new TykGatewayApi(apis, sessions, limits.policies(), keys, bundleStore::reload);
        return new AdminRoutes(new HealthResource(store, apis), metrics, limits, keys, new ApiResource(apis), policies,
                new BundleAdmin(bundleStore, apis, maxZipBytes), tyk);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Request call = withoutTrailingSlash(request);
        String path = AdminLogPaths.masked(call.getHttpURI().getCanonicalPath());
        try {
            if (!super.handle(call, response, callback))
                throw new AdminError(404, "no admin endpoint " + request.getMethod() + " " + path);
        } catch (Exception e) {
            AdminError error = AdminError.of(e);
            if (error.errorId == null) LOG.info("admin: {} {} -> {}: {}", request.getMethod(), path, error.status, error.getMessage());
            else if (error.getCause() == null) LOG.error("admin: {} {} error_id={}: {}", request.getMethod(), path, error.errorId, error.getMessage());
            else LOG.error("admin: {} {} error_id={}", request.getMethod(), path, error.errorId, error.getCause());
            JsonErrors.write(response, callback, error.status, error.body(TykGatewayApi.isTykPath(call)));
        }
        return true;
    }

    /** {@code /keys/} is {@code /keys}; a request without a path is one to {@code /}. */
    private static Request withoutTrailingSlash(Request request) {
        HttpURI uri = request.getHttpURI();
        String path = uri.getCanonicalPath();
        if (path != null && (path.length() == 1 || !path.endsWith("/"))) return request;
        HttpURI trimmed = HttpURI.build(uri).path(path == null ? "/" : path.substring(0, path.length() - 1)).asImmutable();
        return new Request.Wrapper(request) {
            @Override
            public HttpURI getHttpURI() { return trimmed; }
        };
    }
}
