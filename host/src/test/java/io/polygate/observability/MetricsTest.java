package io.polygate.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.Scrape;
import org.hawkular.agent.prometheus.types.Histogram;
import org.hawkular.agent.prometheus.types.MetricType;
import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void requestsAreCountedByStatusClassAndTimedByMethodAndExactStatus() throws Exception {
        Metrics metrics = new Metrics();
        metrics.requests("orders").record("GET", 200, 3_000_000);
        metrics.requests("orders").record("GET", 200, 3_000_000);
        metrics.requests("orders").record("BREW", 418, 1_000_000);
        metrics.requests(null).record("GET", 404, 1_000_000);
        metrics.requests("orders").upstream(2_000_000);

        Scrape s = Scrape.parse(metrics.render());
        assertThat(s.type("polygate_requests_total")).isEqualTo(MetricType.COUNTER);
        assertThat(s.value("polygate_requests_total", "api", "orders", "code", "2xx")).isEqualTo(2);
        assertThat(s.value("polygate_requests_total", "api", "orders", "code", "4xx")).isEqualTo(1);
        assertThat(s.value("polygate_requests_total", "api", "none", "code", "4xx")).isEqualTo(1);
        assertThat(s.type("polygate_request_duration_seconds")).isEqualTo(MetricType.HISTOGRAM);
        assertThat(s.value("polygate_request_duration_seconds", "api", "orders", "method", "GET", "status", "200")).isEqualTo(2);
        assertThat(s.value("polygate_request_duration_seconds", "api", "orders", "method", "OTHER", "status", "418")).isEqualTo(1);
        Histogram h = (Histogram) s.series("polygate_request_duration_seconds", "status", "200").getFirst();
        assertThat(h.getBuckets()).anySatisfy(b -> {
            assertThat(b.getUpperBound()).isEqualTo(0.005);
            assertThat(b.getCumulativeCount()).isEqualTo(2);
        });
        assertThat(s.value("polygate_upstream_duration_seconds", "api", "orders")).isEqualTo(1);
    }

    @Test
    void aStatusOutsideHttpsRangeCountsAs599() throws Exception {
        Metrics metrics = new Metrics();
        metrics.requests("a").record("GET", 0, 1);
        assertThat(Scrape.parse(metrics.render()).value("polygate_request_duration_seconds", "api", "a", "status", "599")).isEqualTo(1);
    }
}
