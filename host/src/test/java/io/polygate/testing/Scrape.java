package io.polygate.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.Gauge;
import org.hawkular.agent.prometheus.types.Histogram;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.hawkular.agent.prometheus.types.MetricType;
import org.hawkular.agent.prometheus.types.Summary;

/**
 * A {@code /metrics} answer read by a real Prometheus text-format parser (Hawkular's
 * {@code prometheus-scraper}: the official Java client has writers only). Parsing fails on text a
 * Prometheus server would not accept; samples are then found by family name and labels.
 */
public final class Scrape {
    private final List<MetricFamily> families;

    private Scrape(List<MetricFamily> families) { this.families = families; }

    /** @throws IOException the text is not valid Prometheus text format */
    public static Scrape parse(String text) throws IOException {
        TextPrometheusMetricDataParser parser = new TextPrometheusMetricDataParser(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        List<MetricFamily> out = new ArrayList<>();
        for (MetricFamily f = parser.parse(); f != null; f = parser.parse()) out.add(f);
        return new Scrape(out);
    }

    public Optional<MetricFamily> family(String name) {
        return families.stream().filter(f -> f.getName().equals(name)).findFirst();
    }

    public MetricType type(String name) {
        return family(name).orElseThrow(() -> new AssertionError("no metric family " + name + " in " + names())).getType();
    }

    public List<String> names() { return families.stream().map(MetricFamily::getName).toList(); }

    /** The series of {@code name} whose labels include {@code labels} (alternating names and values). */
    public List<Metric> series(String name, String... labels) {
        return family(name).map(f -> f.getMetrics().stream().filter(m -> matches(m.getLabels(), labels)).toList()).orElse(List.of());
    }

    /** The sum of the matching counter or gauge samples, or of the matching histograms' and summaries' counts. */
    public double value(String name, String... labels) {
        double sum = 0;
        for (Metric m : series(name, labels)) {
            if (m instanceof Counter c) sum += c.getValue();
            else if (m instanceof Gauge g) sum += g.getValue();
            else if (m instanceof Histogram h) sum += h.getSampleCount();
            else if (m instanceof Summary s) sum += s.getSampleCount();
        }
        return sum;
    }

    private static boolean matches(Map<String, String> have, String... want) {
        for (int i = 0; i + 1 < want.length; i += 2) {
            if (!want[i + 1].equals(have.get(want[i]))) return false;
        }
        return true;
    }
}
