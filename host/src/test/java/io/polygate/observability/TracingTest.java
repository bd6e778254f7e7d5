package io.polygate.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** Where spans are sent: {@code tracing.otlp_endpoint} is the collector's base URL. */
class TracingTest {
    @Test
    void spansGoToTheCollectorsTracesPath() {
        assertThat(Tracing.tracesUrl(URI.create("http://collector:4318"))).isEqualTo("http://collector:4318/v1/traces");
        assertThat(Tracing.tracesUrl(URI.create("http://collector:4318/"))).isEqualTo("http://collector:4318/v1/traces");
        assertThat(Tracing.tracesUrl(URI.create("https://c.example/otlp/v1/traces"))).isEqualTo("https://c.example/otlp/v1/traces");
    }
}
