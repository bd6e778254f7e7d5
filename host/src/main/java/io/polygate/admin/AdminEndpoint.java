package io.polygate.admin;

import io.polygate.admin.AdminRequests.Reply;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.pathmap.UriTemplatePathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One admin path, a Jetty handler for its {@link #path} mapping: the call that answers each method
 * it takes, written back as JSON. A call's failure is thrown, for {@link AdminHandler} to answer.
 */
final class AdminEndpoint extends Handler.Abstract {
    /** One method's call; {@code path} holds the values of the path's {@code {variables}}. */
    @FunctionalInterface
    interface Call {
        Reply answer(Request request, Map<String, String> path) throws Exception;
    }

    /** What a method the path does not take gets. */
    enum OtherMethods {
        /** 405 {@code method X not allowed here (allowed: GET, POST)}. */
        NAMED_405,
        /** Tyk's 405 {@code Method not supported}. */
        TYK_405,
        /** Not handled: the 404 of an unknown path. */
        NOT_FOUND
    }

    /** The order a 405 names the allowed methods in. */
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE");

    final UriTemplatePathSpec path;
    private final OtherMethods others;
    private final Map<String, Call> calls;

    /** @param calls by method name, of {@code GET POST PUT DELETE} */
    AdminEndpoint(String template, OtherMethods others, Map<String, Call> calls) {
        super(InvocationType.BLOCKING);
        if (!METHODS.containsAll(calls.keySet())) throw new IllegalArgumentException(template + ": methods " + calls.keySet());
        this.path = new UriTemplatePathSpec(template);
        this.others = others;
        this.calls = Map.copyOf(calls);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String method = request.getMethod();
        Call call = calls.get(method);
        if (call == null) {
            if (others == OtherMethods.NOT_FOUND) return false;
            if (others == OtherMethods.TYK_405) throw new AdminError(405, "Method not supported");
            List<String> allowed = METHODS.stream().filter(calls::containsKey).toList();
            throw new AdminError(405, "method " + method + " not allowed here (allowed: " + String.join(", ", allowed) + ")");
        }
        Reply reply = call.answer(request, path.getPathParams(request.getHttpURI().getCanonicalPath()));
        byte[] body = AdminRequests.JSON.writeValueAsBytes(reply.body());
        response.setStatus(reply.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}
