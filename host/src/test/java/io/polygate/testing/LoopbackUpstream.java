package io.polygate.testing;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** A real upstream for a gateway under test: a Jetty server running {@code handler} on a free loopback port. */
public final class LoopbackUpstream implements AutoCloseable {
    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);

    private LoopbackUpstream() {}

    public static LoopbackUpstream start(Handler handler) throws Exception {
        LoopbackUpstream u = new LoopbackUpstream();
        u.connector.setHost("127.0.0.1");
        u.server.addConnector(u.connector);
        u.server.setHandler(handler);
        u.server.start();
        return u;
    }

    public int port() { return connector.getLocalPort(); }

    @Override
    public void close() throws Exception { server.stop(); }
}
