package io.polygate.observability;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapSetter;
import org.eclipse.jetty.http.HttpFields;

/**
 * The spans of one traced request: the request span, and its children, one per chain step and
 * one for the upstream exchange. Exists only when tracing is on.
 *
 * <p>Threading: the steps of a request may run on several threads one after the other (a
 * suspended step resumes elsewhere); a span may be ended on any thread.
 */
public final class RequestTrace {
    private static final TextMapSetter<HttpFields.Mutable> HEADERS = (carrier, key, value) -> {
        if (carrier != null) carrier.put(key, value);
    };

    private final Tracer tracer;
    private final Span request;
    private final Context context;
    private volatile Span upstream;

    RequestTrace(Tracer tracer, Span request) {
        this.tracer = tracer;
        this.request = request;
        this.context = Context.root().with(request);
    }

    /** Starts the span of one chain step: {@code name} is the step's, {@code phase} its chain phase. */
    public TraceSpan step(String name, String phase) {
        return new TraceSpan(tracer.spanBuilder(name).setParent(context).setAttribute("polygate.phase", phase).startSpan());
    }

    /**
     * Starts the upstream span, and sets the {@code traceparent} (and {@code tracestate}) the
     * upstream gets to continue the trace from it. It ends with the request ({@link #finish}), and
     * covers every target tried (retries, docs/configuration.md § Several targets).
     */
    public void startUpstream(HttpFields.Mutable upstreamHeaders) {
        Span span = tracer.spanBuilder("upstream").setParent(context).setSpanKind(SpanKind.CLIENT).startSpan();
        W3CTraceContextPropagator.getInstance().inject(Context.root().with(span), upstreamHeaders, HEADERS);
        upstream = span;
    }

    /** Ends the request span (and the upstream span): a 5xx, or 599 for a failed exchange, is an error. */
    public void finish(String apiId, String requestId, int status) {
        Span up = upstream;
        if (up != null) {
            up.setAttribute("http.response.status_code", status);
            if (status >= 500) up.setStatus(StatusCode.ERROR);
            up.end();
        }
        if (apiId != null) request.setAttribute("polygate.api_id", apiId);
        request.setAttribute("polygate.request_id", requestId);
        request.setAttribute("http.response.status_code", status);
        if (status >= 500) request.setStatus(StatusCode.ERROR);
        request.end();
    }
}
