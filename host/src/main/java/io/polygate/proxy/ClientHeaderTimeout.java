package io.polygate.proxy;

import io.micrometer.core.instrument.Counter;
import io.polygate.observability.Metrics;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.util.NanoTime;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nginx's {@code client_header_timeout} for a Jetty connector: the request line and headers of
 * every request on a connection (the first and each keep-alive one) must arrive within
 * {@code timeout} of their first byte, or the connection is closed without an answer. The idle
 * timeout alone does not stop a client sending one header byte every few seconds (slowloris).
 *
 * <p>Nothing is done per request: one task on the server's scheduler sweeps the connector's open
 * connections every {@code timeout / 10} (at least 50 ms, at most 1 s) and reads the state and the
 * begin time HTTP/1.1's parser keeps anyway; a slow head is closed within its timeout plus one
 * sweep. Each closed connection is logged (INFO) and counted in
 * {@code polygate_client_timeouts_total{reason="header"}}.
 *
 * <p>The parser is reached through Jetty's internal HTTP/1.1 connection ({@link Http1Connections}):
 * HTTP/1.1 only, in clear or inside TLS; HTTP/2 connections are not swept (their idle timeout
 * applies). The admin port is not swept.
 *
 * <p>Threading: the sweep runs on the scheduler; the parser's state is volatile and is written
 * after its begin time, so reading the state first sees a begin time at least as recent.
 */
public final class ClientHeaderTimeout extends AbstractLifeCycle {
    private static final Logger LOG = LoggerFactory.getLogger(ClientHeaderTimeout.class);

    private final AbstractConnector connector;
    private final long timeoutNanos;
    private final long sweepMillis;
    private final Counter closed;
    private volatile Scheduler.Task next;

    public ClientHeaderTimeout(AbstractConnector connector, Duration timeout, Metrics metrics) {
        this.connector = connector;
        this.timeoutNanos = timeout.toNanos();
        this.sweepMillis = Math.clamp(timeout.toMillis() / 10, 50, 1000);
        this.closed = metrics.counter("polygate.client.timeouts",
                "Client connections closed because the request arrived too slowly", "reason", "header");
    }

    @Override
    protected void doStart() {
        schedule();
    }

    @Override
    protected void doStop() {
        Scheduler.Task t = next;
        if (t != null) t.cancel();
    }

    private void schedule() {
        if (isStarting() || isRunning()) next = connector.getScheduler().schedule(this::sweep, sweepMillis, TimeUnit.MILLISECONDS);
    }

    private void sweep() {
        try {
            long now = NanoTime.now();
            for (EndPoint endPoint : connector.getConnectedEndPoints()) {
                Connection connection = endPoint.getConnection();
                // on a TLS port the HTTP/1.1 connection is the one inside the TLS connection
                if (connection instanceof SslConnection tls) connection = tls.getSslEndPoint().getConnection();
                HttpParser parser = Http1Connections.parserOf(connection);
                // inHeaderState() includes START, a keep-alive connection waiting for its next request
                if (parser == null || parser.isStart() || !parser.inHeaderState()) continue;
                long waited = NanoTime.elapsed(parser.getBeginNanoTime(), now);
                if (waited <= timeoutNanos) continue;
                closed.increment();
                LOG.info("client {}: request line and headers not complete after {} ms (proxy.client_header_timeout {} ms): connection closed",
                        endPoint.getRemoteSocketAddress(), TimeUnit.NANOSECONDS.toMillis(waited), TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
                endPoint.close(new TimeoutException("request header not complete within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms"));
            }
        } catch (RuntimeException e) {
            LOG.warn("client header timeout sweep failed: {}", e.toString(), e);
        } finally {
            schedule();
        }
    }
}
