package io.polygate.chain;

import io.polygate.observability.JsonErrors;
import org.eclipse.jetty.http.HttpFields;

/** What a {@link Step} decided: go on, or answer the client now. */
public sealed interface Outcome permits Outcome.Continue, Outcome.Respond {

    Outcome CONTINUE = new Continue();

    /** Go on with the next step. */
    record Continue() implements Outcome {}

    /**
     * End the request with this answer.
     *
     * @param headers extra response headers, may be null
     * @param body    the response body (JSON for gateway errors), never null
     */
    record Respond(int status, HttpFields headers, String contentType, byte[] body) implements Outcome {}

    /** A gateway error: {@code {"error": message, "status": status}}. */
    static Respond error(int status, String message) {
        return new Respond(status, null, JsonErrors.CONTENT_TYPE, JsonErrors.body(status, message, null));
    }

    static Respond error(int status, String message, HttpFields headers) {
        return new Respond(status, headers, JsonErrors.CONTENT_TYPE, JsonErrors.body(status, message, null));
    }
}
