package io.polygate.proxy;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** A standalone echo upstream on its own port (benchmarks and tests), answering like {@link EchoUpstream}. */
public final class EchoServer implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;

    public EchoServer(String host, int port) {
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("echo");
        server = new Server(threads);
        connector = new ServerConnector(server, 1, 1);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract(org.eclipse.jetty.util.thread.Invocable.InvocationType.BLOCKING) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                byte[] body = EchoUpstream.render(request, request.getMethod(), request.getHttpURI().getPath(),
                        request.getHttpURI().getQuery(), request.getHeaders());
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
                response.write(true, ByteBuffer.wrap(body), callback);
                return true;
            }
        });
    }

    public EchoServer start() throws Exception {
        server.start();
        return this;
    }

    public int port() { return connector.getLocalPort(); }

    @Override
    public void close() throws Exception { server.stop(); }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException { server.join(); }
}
