package io.polygate.config;

import java.net.URI;

/**
 * The {@code tracing:} section. Without an {@code otlp_endpoint} no span is made; the
 * {@code traceparent} and {@code tracestate} of a request still reach its upstream unchanged.
 *
 * @param otlpEndpoint the OTLP/HTTP collector's base URL ({@code http://collector:4318}; spans go to
 *                     its {@code /v1/traces}), or null (tracing off)
 * @param serviceName  the {@code service.name} of the exported spans
 * @param sampleRatio  the share of new traces recorded (0 to 1); a request that arrives with a
 *                     {@code traceparent} follows its sampled flag
 */
public record TracingConfig(URI otlpEndpoint, String serviceName, double sampleRatio) {
    public static final TracingConfig OFF = new TracingConfig(null, "polygate", 1.0);

    public boolean enabled() { return otlpEndpoint != null; }
}
