package io.polygate.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The gateway's meters: one Micrometer {@link PrometheusMeterRegistry}, exposed in Prometheus text
 * format at {@code /metrics} ({@link #render}). Every series is listed in docs/observability.md.
 *
 * <p>Names are given in Micrometer's dotted form ({@code polygate.requests}); the registry writes
 * them the Prometheus way ({@code polygate_requests_total}, a timer as {@code ..._seconds}). Label
 * values must come from a bounded set (API ids, bundle and hook names, phases, status codes,
 * normalised methods), never a key, a path or an address. Callers keep the meters they get here,
 * so that recording on the hot path is an increment, not a lookup.
 */
public final class Metrics {
    /** The content type of {@link #render}. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** Request and hook latency buckets. */
    public static final List<Duration> LATENCY_BUCKETS = seconds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, RequestMeters> apis = new ConcurrentHashMap<>();

    public Metrics() {
        // Lettuce tags its command meters with the local and remote socket addresses: not labels we show
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (!id.getName().startsWith("lettuce.")) return id;
                List<Tag> kept = id.getTags().stream().filter(t -> !t.getKey().equals("local") && !t.getKey().equals("remote")).toList();
                return id.replaceTags(kept);
            }
        });
    }

    /** The registry, for binders (JVM, Jetty, Lettuce) and for meters built with their own options. */
    public MeterRegistry registry() { return registry; }

    /** A counter series; {@code tags} are alternating label names and values. */
    public Counter counter(String name, String help, String... tags) {
        return Counter.builder(name).description(help).tags(tags).register(registry);
    }

    /** A counter series whose value {@code count} reads from {@code source} at each scrape. */
    public <T> void countedBy(String name, String help, T source, ToDoubleFunction<T> count) {
        FunctionCounter.builder(name, source, count).description(help).register(registry);
    }

    /** A duration histogram with {@link #LATENCY_BUCKETS}. */
    public Timer timer(String name, String help, String... tags) {
        return timer(name, help, LATENCY_BUCKETS, tags);
    }

    /** A duration histogram with the given bucket bounds. */
    public Timer timer(String name, String help, List<Duration> buckets, String... tags) {
        return Timer.builder(name).description(help).tags(tags)
                .serviceLevelObjectives(buckets.toArray(Duration[]::new)).register(registry);
    }

    /** The request meters of one API (null: the request matched no API); made once per API. */
    public RequestMeters requests(String apiId) {
        String api = apiId == null ? "none" : apiId;
        RequestMeters m = apis.get(api);
        return m != null ? m : apis.computeIfAbsent(api, a -> new RequestMeters(this, a));
    }

    /** The Prometheus text exposition (format 0.0.4) of every series. */
    public String render() { return registry.scrape(); }

    /** Bucket bounds given in seconds. */
    public static List<Duration> seconds(double... bounds) {
        Duration[] out = new Duration[bounds.length];
        for (int i = 0; i < bounds.length; i++) out[i] = Duration.ofNanos(Math.round(bounds[i] * 1e9));
        return List.of(out);
    }
}
