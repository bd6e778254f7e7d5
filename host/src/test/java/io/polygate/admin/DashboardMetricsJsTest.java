package io.polygate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's reading of {@code /metrics} ({@code ui/prometheus.js}), run as the ES module it
 * is in a GraalVM JS context: today's series, and the shapes another registry may write (exact
 * {@code status} labels, a hook histogram by bundle, hook and phase), which the live view has to
 * read without a change.
 */
class DashboardMetricsJsTest {
    static Context js;
    static Value prometheus;

    @BeforeAll
    static void load() throws IOException {
        String code;
        try (InputStream in = DashboardMetricsJsTest.class.getClassLoader().getResourceAsStream(DashboardFiles.BASE + "ui/prometheus.js")) {
            code = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        js = Context.newBuilder("js").option("engine.WarnInterpreterOnly", "false").option("js.esm-eval-returns-exports", "true").build();
        prometheus = js.eval(Source.newBuilder("js", code, "prometheus.mjs").build());
    }

    @AfterAll
    static void close() { js.close(); }

    private static Value parse(String text) { return prometheus.getMember("parse").execute(text); }

    @Test
    void todaysRequestSeriesAreSummedByStatusClass() {
        Value samples = parse("""
                # HELP polygate_requests_total Requests answered, by API and status class
                # TYPE polygate_requests_total counter
                polygate_requests_total{api="demo",code="2xx"} 5
                polygate_requests_total{api="demo",code="4xx"} 2
                polygate_requests_total{api="none",code="4xx"} 1
                polygate_limit_rate_limited_total 3
                """);
        assertThat(samples.getArraySize()).isEqualTo(4);
        assertThat(samples.getArrayElement(0).getMember("labels").getMember("api").asString()).isEqualTo("demo");
        Value sum = prometheus.getMember("sum");
        assertThat(sum.execute(samples, "polygate_requests_total").asDouble()).isEqualTo(8);
        Value fourXx = js.eval("js", "(statusClass) => labels => statusClass(labels) === '4xx'").execute(prometheus.getMember("statusClass"));
        assertThat(sum.execute(samples, "polygate_requests_total", fourXx).asDouble()).isEqualTo(3);
        assertThat(sum.execute(samples, "polygate_limit_rate_limited_total").asDouble()).isEqualTo(3);
    }

    @Test
    void anExactStatusLabelHasItsClassAndEscapedLabelValuesAreRead() {
        Value samples = parse("""
                http_server_requests_seconds_count{api="a \\"quoted\\" one",method="GET",status="503",} 4.0
                """);
        Value labels = samples.getArrayElement(0).getMember("labels");
        assertThat(labels.getMember("api").asString()).isEqualTo("a \"quoted\" one");
        assertThat(prometheus.getMember("statusClass").execute(labels).asString()).isEqualTo("5xx");
        assertThat(samples.getArrayElement(0).getMember("value").asDouble()).isEqualTo(4);
    }

    @Test
    void aHooksP99ByBundleIsInterpolatedWithinItsBucketAcrossHooksAndPhases() {
        Value samples = parse("""
                # TYPE polygate_hook_duration_seconds histogram
                polygate_hook_duration_seconds_bucket{bundle="auth",hook="check",phase="auth",le="0.001"} 0
                polygate_hook_duration_seconds_bucket{bundle="auth",hook="check",phase="auth",le="0.01"} 50
                polygate_hook_duration_seconds_bucket{bundle="auth",hook="check",phase="auth",le="0.1"} 100
                polygate_hook_duration_seconds_bucket{bundle="auth",hook="check",phase="auth",le="+Inf"} 100
                polygate_hook_duration_seconds_bucket{bundle="auth",hook="stamp",phase="pre",le="0.001"} 100
                polygate_hook_duration_seconds_bucket{bundle="auth",hook="stamp",phase="pre",le="0.01"} 100
                polygate_hook_duration_seconds_bucket{bundle="auth",hook="stamp",phase="pre",le="0.1"} 100
                polygate_hook_duration_seconds_bucket{bundle="auth",hook="stamp",phase="pre",le="+Inf"} 100
                polygate_hook_duration_seconds_bucket{bundle="idle",hook="h",phase="pre",le="0.1"} 0
                polygate_hook_duration_seconds_bucket{bundle="idle",hook="h",phase="pre",le="+Inf"} 0
                polygate_hook_duration_seconds_count{bundle="auth",hook="check",phase="auth"} 100
                polygate_requests_total{api="demo",code="2xx"} 5
                """);
        Value names = prometheus.getMember("histogramNames").execute(samples, js.eval("js", "/hook/"));
        assertThat(names.getArraySize()).isEqualTo(1);
        assertThat(names.getArrayElement(0).asString()).isEqualTo("polygate_hook_duration_seconds");
        Value byBundle = prometheus.getMember("histogramQuantiles").execute(samples, "polygate_hook_duration_seconds", "bundle", 0.99);
        Value auth = byBundle.getMember("auth");
        assertThat(auth.getMember("count").asDouble()).isEqualTo(200);
        // rank 198 of 200: in (0.01, 0.1], 48 of its 50 calls in: 0.01 + 0.09 * 48/50
        assertThat(auth.getMember("quantile").asDouble()).isCloseTo(0.0964, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(byBundle.getMember("idle").getMember("quantile").isNull()).as("no calls: no p99").isTrue();
    }
}
