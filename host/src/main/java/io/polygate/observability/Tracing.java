package io.polygate.observability;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;

/**
 * Request tracing with the OpenTelemetry SDK: spans are batched and exported over OTLP/HTTP
 * (protobuf, the JDK's HttpClient) by the SDK's own thread. {@link #OFF} makes no span at all: the
 * client's {@code traceparent} and {@code tracestate} then reach the upstream untouched, as any
 * other header does.
 *
 * <p>Threading: {@link #start} may be called from any thread.
 */
public final class Tracing implements AutoCloseable {
    /** No collector configured. */
    public static final Tracing OFF = new Tracing(null);

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final TextMapGetter<HttpFields> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpFields carrier) { return carrier.getFieldNamesCollection(); }

        @Override
        public String get(HttpFields carrier, String key) { return carrier == null ? null : carrier.get(key); }
    };

    private final SdkTracerProvider provider;
    private final Tracer tracer;

    private Tracing(SdkTracerProvider provider) {
        this.provider = provider;
        this.tracer = provider == null ? null : provider.get("io.polygate");
    }

    /**
     * Exports to {@code otlpEndpoint}'s {@code /v1/traces} (appended unless the URL already ends
     * with it), as {@code serviceName}; new traces are kept at {@code sampleRatio}, a client's
     * trace by its sampled flag.
     */
    public static Tracing open(URI otlpEndpoint, String serviceName, double sampleRatio) {
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(tracesUrl(otlpEndpoint)).build();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), serviceName))))
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(sampleRatio)))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
                .build();
        return new Tracing(provider);
    }

    static String tracesUrl(URI endpoint) {
        String s = endpoint.toString();
        if (s.endsWith("/v1/traces")) return s;
        return (s.endsWith("/") ? s.substring(0, s.length() - 1) : s) + "/v1/traces";
    }

    public boolean enabled() { return tracer != null; }

    /**
     * Starts the span of one request, the child of the client's {@code traceparent} when it sent a
     * valid one, else the root of a new trace. Only call when {@link #enabled()}.
     *
     * @param name      the span's name ({@code GET /listen/path/})
     * @param clientIp  the client's address, behind the {@code trusted_proxies} that forwarded the request
     * @param peerIp    the address of the connection's peer (the nearest proxy, or the client)
     */
    public RequestTrace start(HttpFields clientHeaders, String name, String method, String path, String clientIp, String peerIp) {
        Context parent = W3C.extract(Context.root(), clientHeaders, HEADERS);
        return new RequestTrace(tracer, tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.SERVER)
                .setAttribute("http.request.method", method)
                .setAttribute("url.path", path)
                .setAttribute("client.address", clientIp)
                .setAttribute("network.peer.address", peerIp)
                .startSpan());
    }

    /** Exports the spans still queued (up to 5 s), then stops the exporter. */
    @Override
    public void close() {
        if (provider != null) provider.shutdown().join(5, TimeUnit.SECONDS);
    }
}
