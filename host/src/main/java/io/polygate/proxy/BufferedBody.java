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
}
