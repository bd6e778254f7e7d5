package io.polygate.testing;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A local OTLP/HTTP trace collector: accepts {@code POST /v1/traces} (protobuf), decodes it with
 * the opentelemetry-proto classes and keeps every span it received.
 */
public final class OtlpReceiver implements AutoCloseable {
    /** A received span, ids as lower-case hex ({@code parentSpanId} empty for a root). */
    public record ReceivedSpan(String name, String traceId, String spanId, String parentSpanId, Span.SpanKind kind, Span proto) {}

    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
    private final LoopbackUpstream server;

    private OtlpReceiver() throws Exception {
        server = LoopbackUpstream.start(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (!"POST".equals(request.getMethod()) || !"/v1/traces".equals(request.getHttpURI().getPath())) {
                    response.setStatus(404);
                    callback.succeeded();
                    return true;
                }
                try (InputStream in = Content.Source.asInputStream(request)) {
                    receive(ExportTraceServiceRequest.parseFrom(in));
                }
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/x-protobuf");
                response.write(true, ByteBuffer.wrap(ExportTraceServiceResponse.getDefaultInstance().toByteArray()), callback);
                return true;
            }
        });
    }

    public static OtlpReceiver start() throws Exception { return new OtlpReceiver(); }

    /** The base URL for {@code tracing.otlp_endpoint}. */
    public String endpoint() { return "http://127.0.0.1:" + server.port(); }

    private void receive(ExportTraceServiceRequest export) {
        HexFormat hex = HexFormat.of();
        for (ResourceSpans rs : export.getResourceSpansList())
            for (ScopeSpans ss : rs.getScopeSpansList())
                for (Span s : ss.getSpansList())
                    spans.add(new ReceivedSpan(s.getName(), hex.formatHex(s.getTraceId().toByteArray()), hex.formatHex(s.getSpanId().toByteArray()),
                            hex.formatHex(s.getParentSpanId().toByteArray()), s.getKind(), s));
    }

    /** Waits (up to {@code max}) until {@code done} holds for the spans of {@code traceId}; returns them. */
    public List<ReceivedSpan> await(String traceId, Duration max, Predicate<List<ReceivedSpan>> done) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            List<ReceivedSpan> trace = spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
            if (done.test(trace)) return trace;
            if (System.nanoTime() > deadline) throw new AssertionError("spans of trace " + traceId + " after " + max + ": " + trace);
            Thread.sleep(100);
        }
    }

    @Override
    public void close() throws Exception { server.close(); }
}
