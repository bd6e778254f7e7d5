package io.polygate.observability;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway's counters and latency histograms, exposed in Prometheus text format at the admin
 * API's {@code /metrics}. Thread-safe and cheap on the hot path: a series is created once, then
 * recording is a {@link LongAdder} increment.
 *
 * <p>Series names follow Prometheus conventions ({@code polygate_requests_total}); labels are
 * given as alternating name/value pairs, and a series is identified by its name and labels.
 */
public final class Metrics {
    /** Request latency buckets, seconds. */
    private static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final Map<String, String> help = new ConcurrentHashMap<>();
    private final Map<String, Map<String, LongAdder>> counters = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Histogram>> histograms = new ConcurrentHashMap<>();

    /** A counter series; keep the returned adder to record without lookups. */
    public LongAdder counter(String name, String helpText, String... labels) {
        help.putIfAbsent(name, helpText);
        return counters.computeIfAbsent(name, n -> new ConcurrentHashMap<>())
                .computeIfAbsent(labelText(labels), l -> new LongAdder());
    }

    /** A latency histogram series (seconds). */
    public Histogram histogram(String name, String helpText, String... labels) {
        help.putIfAbsent(name, helpText);
        return histograms.computeIfAbsent(name, n -> new ConcurrentHashMap<>())
                .computeIfAbsent(labelText(labels), l -> new Histogram());
    }

    private final Map<String, ApiSeries> apis = new ConcurrentHashMap<>();

    /** Counts one finished request of {@code api} (null: no API matched) with its status and duration. */
    public void request(String api, int status, long nanos) {
        apis.computeIfAbsent(api == null ? "none" : api, ApiSeries::new).record(status, nanos);
    }

    /** The per-API request series, created once per API so that recording is lookup-free. */
    private final class ApiSeries {
        final LongAdder[] byClass = new LongAdder[5];
        final Histogram latency;

        ApiSeries(String api) {
            String[] classes = {"1xx", "2xx", "3xx", "4xx", "5xx"};
            for (int i = 0; i < 5; i++)
                byClass[i] = counter("polygate_requests_total", "Requests answered, by API and status class", "api", api, "code", classes[i]);
            latency = histogram("polygate_request_duration_seconds", "Time from request to the end of the response, by API", "api", api);
        }

        void record(int status, long nanos) {
            byClass[Math.min(4, Math.max(0, status / 100 - 1))].increment();
            latency.observe(nanos);
        }
    }

    static String labelText(String... labels) {
        if (labels.length == 0) return "";
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i + 1 < labels.length; i += 2) {
            if (i > 0) b.append(',');
            b.append(labels[i]).append("=\"").append(labels[i + 1].replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
        }
        return b.append('}').toString();
    }

    /** The Prometheus text exposition of every series. */
    public String render() {
        StringBuilder out = new StringBuilder(4096);
        new TreeMap<>(counters).forEach((name, series) -> {
            out.append("# HELP ").append(name).append(' ').append(help.getOrDefault(name, name)).append('\n');
            out.append("# TYPE ").append(name).append(" counter\n");
            new TreeMap<>(series).forEach((labels, v) -> {
                long n = v.sum();
                if (n != 0 || !name.equals("polygate_requests_total")) out.append(name).append(labels).append(' ').append(n).append('\n');
            });
        });
        new TreeMap<>(histograms).forEach((name, series) -> {
            out.append("# HELP ").append(name).append(' ').append(help.getOrDefault(name, name)).append('\n');
            out.append("# TYPE ").append(name).append(" histogram\n");
            new TreeMap<>(series).forEach((labels, h) -> h.render(out, name, labels));
        });
        return out.toString();
    }

    /** A fixed-bucket histogram of durations. */
    public static final class Histogram {
        private final LongAdder[] buckets = new LongAdder[BUCKETS.length];
        private final LongAdder count = new LongAdder();
        private final LongAdder sumNanos = new LongAdder();

        Histogram() {
            for (int i = 0; i < buckets.length; i++) buckets[i] = new LongAdder();
        }

        public void observe(long nanos) {
            double s = nanos / 1e9;
            for (int i = 0; i < BUCKETS.length; i++) {
                if (s <= BUCKETS[i]) {
                    buckets[i].increment();
                    break;
                }
            }
            count.increment();
            sumNanos.add(nanos);
        }

        void render(StringBuilder out, String name, String labels) {
            String inner = labels.isEmpty() ? "" : labels.substring(1, labels.length() - 1) + ",";
            long cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += buckets[i].sum();
                out.append(name).append("_bucket{").append(inner).append("le=\"").append(BUCKETS[i]).append("\"} ").append(cumulative).append('\n');
            }
            out.append(name).append("_bucket{").append(inner).append("le=\"+Inf\"} ").append(count.sum()).append('\n');
            out.append(name).append("_sum").append(labels).append(' ').append(sumNanos.sum() / 1e9).append('\n');
            out.append(name).append("_count").append(labels).append(' ').append(count.sum()).append('\n');
        }
    }
}
