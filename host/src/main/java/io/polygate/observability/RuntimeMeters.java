package io.polygate.observability;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jetty.JettyConnectionMetrics;
import io.micrometer.core.instrument.binder.jetty.JettyServerThreadPoolMetrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import java.util.List;
import org.eclipse.jetty.server.Server;

/**
 * Micrometer's own binders for the process: JVM memory, GC, threads, class loading, CPU, and the
 * Jetty server's thread pool and connections (by connector). Their series keep Micrometer's names
 * ({@code jvm_*}, {@code process_*}, {@code system_*}, {@code jetty_*}). {@link #close} stops the
 * GC listener.
 */
public final class RuntimeMeters implements AutoCloseable {
    private final JvmGcMetrics gc = new JvmGcMetrics();

    /** Binds everything; call once the server's connectors are set. */
    public RuntimeMeters(Metrics metrics, Server server) {
        MeterRegistry registry = metrics.registry();
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new JettyServerThreadPoolMetrics(server.getThreadPool(), List.of()).bindTo(registry);
        JettyConnectionMetrics.addToAllConnectors(server, registry);
    }

    @Override
    public void close() { gc.close(); }
}
