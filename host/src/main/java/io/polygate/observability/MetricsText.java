package io.polygate.observability;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** {@code GET /metrics}: the Prometheus text; another method is not handled (the caller answers it). */
public final class MetricsText extends Handler.Abstract {
    private final Metrics metrics;

    public MetricsText(Metrics metrics) {
        super(InvocationType.BLOCKING);
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!request.getMethod().equals("GET")) return false;
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Metrics.CONTENT_TYPE);
        Content.Sink.write(response, true, metrics.render(), callback);
        return true;
    }
}
