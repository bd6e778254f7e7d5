package io.polygate.observability;

import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty raises itself (a malformed request line, headers over the size limit, a bad URI)
 * answered with the gateway's JSON error body instead of Jetty's HTML page.
 */
public final class JsonErrorHandler extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        if (status < 400) status = 500;
        // Jetty's error-handler contract: the message of an error it raised comes as a request
        // attribute (there is no exchange: the request may not even have been parsed)
        String message = (String) request.getAttribute(ERROR_MESSAGE);
        if (message == null || message.isBlank()) message = HttpStatus.getMessage(status);
        JsonErrors.write(response, callback, status, JsonErrors.body(status, message, null));
        return true;
    }
}
