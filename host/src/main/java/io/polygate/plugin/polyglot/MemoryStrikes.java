package io.polygate.plugin.polyglot;

import io.polygate.observability.Metrics;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MemoryGuard}'s strikes against one bundle version: each time the guard stops calls
 * of the version is one strike, however many of its calls it stopped at once. At
 * {@code plugins.memory_strikes} (0: never) the version is unfit to serve: the listener given to
 * {@link #onUnfit} is told once, a log line names the bundle and version, and
 * {@code polygate_plugin_memory_unfit_total{bundle}} counts it.
 *
 * <p>Thread-safe: strikes come from the JVM's notification thread.
 */
final class MemoryStrikes {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryStrikes.class);

    private final String bundle;
    private final String version;
    private final int limit;
    private final Metrics metrics;
    private final AtomicInteger count = new AtomicInteger();
    private volatile Consumer<String> onUnfit = why -> {};

    /** @param limit strikes after which the version is unfit; 0 = never */
    MemoryStrikes(String bundle, String version, int limit, Metrics metrics) {
        this.bundle = bundle;
        this.version = version;
        this.limit = limit;
        this.metrics = metrics;
    }

    String bundle() { return bundle; }

    void onUnfit(Consumer<String> listener) { onUnfit = listener; }

    /** One more strike: the guard stopped calls of this version. */
    void strike() {
        int n = count.incrementAndGet();
        if (limit == 0 || n < limit) {
            if (limit > 0) LOG.warn("bundle {} version {}: stopped because the heap ran short, strike {} of {} (plugins.memory_strikes)",
                    bundle, version, n, limit);
            return;
        }
        if (n > limit) return;
        String why = "bundle \"" + bundle + "\": version " + version + " was stopped " + n
                + " times because the heap ran short (plugins.memory_strikes " + limit + ")";
        LOG.error("{}: the version is taken out of service", why);
        metrics.counter("polygate.plugin.memory.unfit", "Bundle versions taken out of service after plugins.memory_strikes memory stops",
                "bundle", bundle).increment();
        onUnfit.accept(why);
    }
}
