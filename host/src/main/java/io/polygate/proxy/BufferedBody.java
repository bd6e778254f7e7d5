package io.polygate.proxy;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * A request body that a step read whole (a plugin hook reads {@code request.body}) or replaced:
 * kept as a request attribute, and replayed to the upstream instead of the (consumed) client
 * stream. Bodies nobody read are never buffered: they stream.
 */
public final class BufferedBody {
    public static final String ATTRIBUTE = BufferedBody.class.getName();

    private BufferedBody() {}

    /** The buffered body of this request, or null when it streams. */
    public static byte[] get(Request request) {
        return (byte[]) request.getAttribute(ATTRIBUTE);
    }

    public static void set(Request request, byte[] body) {
        request.setAttribute(ATTRIBUTE, body);
    }

    /**
     * The request to read the body from: the client request itself, or a view of it whose content
     * is the buffered body, whose length is that body's (the proxy sends a body only when the
     * length says there is one: a GET given a body must not announce bytes it never sends) and
     * whose headers are {@code headers} (with the matching Content-Length).
     */
    public static Request replayable(Request request, HttpFields headers) {
        byte[] body = get(request);
        if (body == null) return request;
        return new Request.Wrapper(request) {
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
