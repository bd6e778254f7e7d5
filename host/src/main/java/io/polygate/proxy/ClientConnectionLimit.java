package io.polygate.proxy;

import io.micrometer.core.instrument.Counter;
import io.polygate.observability.Metrics;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nginx's {@code worker_connections} for the gateway's client ports: at {@code max} open client
 * connections (plain and TLS together, WebSocket and other upgraded ones included) the ports stop
 * accepting, so new connections wait in the kernel's accept backlog until one closes, instead of
 * the process running out of file descriptors for its upstream and Redis connections. The admin
 * and metrics ports are not counted, so an operator can still look in while the gateway is full.
 *
 * <p>Jetty's {@link NetworkConnectionLimit} does the counting; this adds what an operator sees:
 * each time the limit is reached it is counted in
 * {@code polygate_client_connection_limit_reached_total}, and logged (WARN, at most once a minute).
 */
public final class ClientConnectionLimit extends NetworkConnectionLimit {
    private static final Logger LOG = LoggerFactory.getLogger(ClientConnectionLimit.class);
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Counter reached;
    /** Read and written in {@link #limit()} only, which Jetty calls holding the limit's own lock. */
    private long lastWarned = System.nanoTime() - WARN_EVERY_NANOS;

    /** @param max {@code proxy.max_client_connections}; 0: half the process's open-file limit */
    public ClientConnectionLimit(int max, Metrics metrics, Connector... connectors) {
        super(max > 0 ? max : defaultMax(), connectors);
        this.reached = metrics.counter("polygate.client.connection.limit.reached",
                "Times the client ports stopped accepting because proxy.max_client_connections were open");
    }

    /**
     * Half the process's limit of open files (the other half is left to upstream and Redis
     * connections and to files), at least 64; 10,000 where the JVM cannot tell the limit.
     */
    private static int defaultMax() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long files = unix.getMaxFileDescriptorCount();
            if (files > 0) return (int) Math.clamp(files / 2, 64, Integer.MAX_VALUE);
        }
        return 10_000;
    }

    @Override
    protected void limit() {
        super.limit();
        reached.increment();
        long now = System.nanoTime();
        if (now - lastWarned < WARN_EVERY_NANOS) return;
        lastWarned = now;
        LOG.warn("{} client connections are open (proxy.max_client_connections): new connections wait until one closes "
                + "(logged at most once a minute; counted in polygate_client_connection_limit_reached_total)", getMaxNetworkConnectionCount());
    }
}
