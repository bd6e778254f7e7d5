package io.polygate;

import io.polygate.config.GatewayConfig;
import io.polygate.observability.JsonErrors;
import java.io.IOException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * What listens on the gateway and admin ports while {@code storage.wait_at_start} waits for the
 * store: every request, on either port, is answered {@code 503} with the JSON error body
 * ({@code {"error": "the store is not reachable yet (...); retrying", "status": 503}}) and
 * {@code Retry-After: 1}. Everything the gateway serves needs the store once it is built (keys,
 * limits, bundles, the admin API), so nothing is served in part. {@link #close} frees the ports
 * for the real {@link Gateway}.
 *
 * <p>Threading: {@link #setReason} may be called from any thread while requests are answered.
 */
public final class StoreWaitServer implements AutoCloseable {
    private final Server server;
    private volatile String reason;

    private StoreWaitServer(GatewayConfig config, String reason) {
        this.reason = reason;
        QueuedThreadPool threads = new QueuedThreadPool(8, 2);
        threads.setName("polygate-store-wait");
        server = new Server(threads);
        ServerConnector gateway = new ServerConnector(server, 1, 1);
        gateway.setHost(config.host());
        gateway.setPort(config.listenPort());
        ServerConnector admin = new ServerConnector(server, 1, 1);
        admin.setHost(config.admin().host());
        admin.setPort(config.admin().port());
        server.setConnectors(new Connector[] {gateway, admin});
        server.setHandler(new Handler.Abstract(Invocable.InvocationType.NON_BLOCKING) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
                JsonErrors.write(response, callback, 503, "the store is not reachable yet (" + StoreWaitServer.this.reason + "); retrying");
                return true;
            }
        });
    }

    /**
     * Listens on both ports of {@code config}; {@code reason}: why the store is not there (the last failure).
     *
     * @throws IOException when a port is taken
     */
    public static StoreWaitServer start(GatewayConfig config, String reason) throws IOException {
        StoreWaitServer s = new StoreWaitServer(config, reason);
        try {
            s.server.start();
        } catch (IOException e) {
            s.close();
            throw e;
        } catch (Exception e) {
            s.close();
            throw new IOException(e.getMessage(), e);
        }
        return s;
    }

    /** The latest failure to reach the store, shown in the 503 answers. */
    public void setReason(String reason) { this.reason = reason; }

    /** Stops listening; the ports are free when this returns. */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the store-wait server: " + e.getMessage(), e);
        }
    }
}
