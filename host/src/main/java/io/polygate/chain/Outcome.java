package io.polygate.chain;

import io.polygate.observability.JsonErrors;
import java.util.concurrent.CompletionStage;
import org.eclipse.jetty.http.HttpFields;

/** What a {@link Step} decided: go on, answer the client now, or decide later without holding a thread. */
public sealed interface Outcome permits Outcome.Continue, Outcome.Respond, Outcome.Suspend {

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

    /**
     * Decide later: the chain stops here without holding a thread and continues with the outcome
     * {@code resume} completes with ({@link #CONTINUE} goes on with the next step). It may complete
     * on any thread, a store's network I/O thread included, but must not be completed by code that
     * then blocks: the chain goes on on the completing thread and hands over to a worker thread
     * before a later step (or the upstream) that may block ({@link Step#mayBlock(Exchange)}). If it
     * completes exceptionally, the client gets what the step would have got for that exception
     * (503 for a store failure, else 500). Used by Redis limit checks and by throttling.
     */
    record Suspend(CompletionStage<Outcome> resume) implements Outcome {}

    /** A gateway error: {@code {"error": message, "status": status}}. */
    static Respond error(int status, String message) {
        return new Respond(status, null, JsonErrors.CONTENT_TYPE, JsonErrors.body(status, message, null));
    }

    static Respond error(int status, String message, HttpFields headers) {
        return new Respond(status, headers, JsonErrors.CONTENT_TYPE, JsonErrors.body(status, message, null));
    }
}
