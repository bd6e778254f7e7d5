package io.polygate.plugin;

import java.util.Map;
import org.eclipse.jetty.server.Response;

/** Applies what a response hook recorded in its {@link HookCall} (status, headers, body) to the client response held back for the hooks. */
final class ResponseChanges {
    private ResponseChanges() {}

    /** @return the response body after the hook */
    static byte[] apply(HookCall call, Response client, byte[] body) {
        if (call.responseStatus >= 100 && call.responseStatus <= 599) client.setStatus(call.responseStatus);
        Map<String, String> replaced = call.responseHeaders;
        if (replaced != null && !replaced.equals(call.canonicalResponseHeaders()))
            RequestChanges.replaceHeaders(client.getHeaders(), call.canonicalResponseHeaders(), replaced);
        return call.responseBody != null ? call.responseBody : body;
    }
}
