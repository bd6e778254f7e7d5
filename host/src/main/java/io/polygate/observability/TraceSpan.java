package io.polygate.observability;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;

/** One started span of a {@link RequestTrace}; keeps OpenTelemetry's types inside this package. */
public final class TraceSpan {
    private final Span span;

    TraceSpan(Span span) { this.span = span; }

    public void end() { span.end(); }

    /** Ends the span as failed by {@code error}. */
    public void fail(Throwable error) {
        span.recordException(error);
        span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
        span.end();
    }

    /** Ends the span of a step that answered the client itself, with {@code status}. */
    public void answered(int status) {
        span.setAttribute("http.response.status_code", status);
        if (status >= 500) span.setStatus(StatusCode.ERROR);
        span.end();
    }
}
