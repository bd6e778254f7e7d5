package io.polygate.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.chain.Exchange;
import io.polygate.chain.QueryParams;
import io.polygate.sdk.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The built-in upstream behind {@code target_url: echo://}: answers with the request it received,
 * as JSON ({@code method}, {@code path}, {@code query}, {@code args}, {@code headers}, {@code body},
 * {@code body_bytes}), after the chain's changes. Bodies over {@value #MAX_ECHOED_BODY} bytes are
 * counted but not echoed. Reads the body blocking: the chain already runs on a blocking thread.
 */
public final class EchoUpstream implements Upstream {
    public static final int MAX_ECHOED_BODY = 1 << 20;
    private static final ObjectMapper JSON = Json.MAPPER;

    /** Reads the request body with a blocking stream. */
    @Override
    public boolean mayBlock() { return true; }

    @Override
    public void forward(Exchange exchange, Response response, Callback callback) {
        try {
            byte[] body = render(BufferedBody.replayable(exchange), exchange.method(), exchange.upstreamPath(), exchange.query(), exchange.headers());
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, ByteBuffer.wrap(body), callback);
        } catch (Throwable t) {
            callback.failed(t);
        }
    }

    /** The echo JSON of one request; also used by the standalone echo server. */
    public static byte[] render(Request request, String method, String path, String query, HttpFields headers) throws IOException {
        ObjectNode out = JSON.createObjectNode();
        out.put("method", method);
        out.put("path", path == null || path.isEmpty() ? "/" : path);
        out.put("query", query == null ? "" : query);
        ObjectNode args = out.putObject("args");
        for (Fields.Field f : QueryParams.decode(query)) {
            ArrayNode values = args.putArray(f.getName());
            f.getValues().forEach(values::add);
        }
        ObjectNode h = out.putObject("headers");
        for (HttpField f : headers) {
            String prev = h.has(f.getName()) ? h.get(f.getName()).asText() + ", " : "";
            h.put(f.getName(), prev + f.getValue());
        }
        out.put("origin", Request.getRemoteAddr(request));
        long total = 0;
        byte[] kept = new byte[0];
        try (InputStream in = Content.Source.asInputStream(request)) {
            java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
            byte[] chunk = new byte[16 * 1024];
            int n;
            while ((n = in.read(chunk)) > 0) {
                if (total < MAX_ECHOED_BODY) buf.write(chunk, 0, (int) Math.min(n, MAX_ECHOED_BODY - total));
                total += n;
            }
            kept = buf.toByteArray();
        }
        out.put("body", new String(kept, StandardCharsets.UTF_8));
        out.put("body_bytes", total);
        if (total > MAX_ECHOED_BODY) out.put("body_truncated", true);
        return JSON.writeValueAsBytes(out);
    }
}
