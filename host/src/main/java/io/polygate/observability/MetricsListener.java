package io.polygate.observability;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The {@code metrics.port} listener's handler: {@code GET /metrics} (or {@code /metrics/}) without
 * any secret; anything else is a JSON 404 or 405.
 */
public final class MetricsListener extends Handler.Abstract {
    private final MetricsText text;

    public MetricsListener(Metrics metrics) {
        super(InvocationType.BLOCKING);
        this.text = new MetricsText(metrics);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (!path.equals("/metrics") && !path.equals("/metrics/")) {
            JsonErrors.write(response, callback, 404, "the metrics port serves GET /metrics only");
            return true;
        }
        if (!text.handle(request, response, callback)) {
            response.getHeaders().put("Allow", "GET");
            JsonErrors.write(response, callback, 405, "method " + request.getMethod() + " not allowed on /metrics");
        }
        return true;
    }
}
