package io.polygate.testing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/** A real upstream for a gateway under test: a Jetty server running {@code handler} on a free loopback port. */
public final class LoopbackUpstream implements AutoCloseable {
    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);

    private LoopbackUpstream() {}

    public static LoopbackUpstream start(Handler handler) throws Exception {
        return start(handler, 0);
    }

    /** On {@code port} (0: a free one), e.g. to bring back an upstream that was stopped. */
    public static LoopbackUpstream start(Handler handler, int port) throws Exception {
        LoopbackUpstream u = new LoopbackUpstream();
        u.connector.setHost("127.0.0.1");
        u.connector.setPort(port);
        u.server.addConnector(u.connector);
        u.server.setHandler(handler);
        u.server.start();
        return u;
    }

    /** An upstream that reads each request's body to its end and answers 200 with {@code answer(request, body)}. */
    public static LoopbackUpstream answering(BiFunction<Request, String, String> answer) throws Exception {
        return answering(answer, 0);
    }

    /** As {@link #answering(BiFunction)}, on {@code port} (0: a free one). */
    public static LoopbackUpstream answering(BiFunction<Request, String, String> answer, int port) throws Exception {
        return start(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String body = Content.Source.asString(request);
                response.setStatus(200);
                response.write(true, ByteBuffer.wrap(answer.apply(request, body).getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        }, port);
    }

    public int port() { return connector.getLocalPort(); }

    @Override
    public void close() throws Exception { server.stop(); }
}
