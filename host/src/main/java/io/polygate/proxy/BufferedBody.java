package io.polygate.proxy;

import io.polygate.chain.Exchange;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * The request an upstream reads the body from: the client request itself while its body streams,
 * or a replay of the body a step read whole or replaced ({@link Exchange#bufferedBody()}), since
 * the client stream is then consumed.
 */
final class BufferedBody {
    private BufferedBody() {}

    /**
     * The client request, or a view of it whose content is the buffered body, whose length is that
     * body's (the proxy sends a body only when the length says there is one: a GET given a body must
     * not announce bytes it never sends) and whose headers are the exchange's (with the matching
     * Content-Length).
     */
    static Request replayable(Exchange exchange) {
        byte[] body = exchange.bufferedBody();
        if (body == null) return exchange.clientRequest();
        HttpFields headers = exchange.headers();
        return new Request.Wrapper(exchange.clientRequest()) {
            private boolean consumed;

            @Override
            public HttpFields getHeaders() { return headers; }

            @Override
            public long getLength() { return body.length; }

            @Override
            public Content.Chunk read() {
                if (consumed) return Content.Chunk.EOF;
                consumed = true;
                return Content.Chunk.from(ByteBuffer.wrap(body), true);
            }

            @Override
            public void demand(Runnable demandCallback) { demandCallback.run(); }
        };
    }

    /**
     * Runs {@code then} once the client's body, when a step replaced it without reading it, has
     * been read and thrown away (at once otherwise). Its bytes would otherwise still be on the
     * connection when the response ends: Jetty then closes a connection whose answer told the
     * client it stays open, and the client's next request on it fails. Reads without blocking; the
     * client-side limits (idle timeout, minimum body rate) still apply to a slow body.
     */
    static void afterUnreadClientBody(Exchange exchange, Runnable then) {
        if (exchange.takeUnreadClientBody()) discard(exchange.clientRequest(), then);
        else then.run();
    }

    private static void discard(Request client, Runnable then) {
        while (true) {
            Content.Chunk chunk = client.read();
            if (chunk == null) {
                client.demand(() -> discard(client, then));
                return;
            }
            chunk.release();
            // a failed body ends here too: the replacement goes on, and Jetty closes the connection after
            if (chunk.isLast()) break;
        }
        then.run();
    }
}
