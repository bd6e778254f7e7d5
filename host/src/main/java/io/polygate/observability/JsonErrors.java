package io.polygate.observability;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.sdk.json.Json;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The JSON error bodies every part of the gateway answers with:
 * {@code {"error": "...", "status": 404}}, plus {@code "error_id"} for unexpected failures (the
 * same id is in the log line), and for a bad body {@code "errors"} (each problem as text) and
 * {@code "field_errors"} (each as {@code {"field": "listen_path", "error": "..."}}, for clients
 * that show the problem beside its field).
 */
public final class JsonErrors {
    public static final String CONTENT_TYPE = "application/json";
    private static final ObjectMapper JSON = Json.MAPPER;

    private JsonErrors() {}

    public static byte[] body(int status, String message, String errorId) {
        return body(status, message, errorId, null);
    }

    public static byte[] body(int status, String message, String errorId, List<String> details) {
        return body(status, message, errorId, details, null);
    }

    /** @param fieldErrors objects Jackson writes as {@code {"field": ..., "error": ...}}; null or empty: none */
    public static byte[] body(int status, String message, String errorId, List<String> details, List<?> fieldErrors) {
        ObjectNode n = JSON.createObjectNode();
        n.put("error", message);
        n.put("status", status);
        if (errorId != null) n.put("error_id", errorId);
        if (details != null && !details.isEmpty()) n.putPOJO("errors", details);
        if (fieldErrors != null && !fieldErrors.isEmpty()) n.putPOJO("field_errors", fieldErrors);
        try {
            return JSON.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A short random id that ties a client-visible error to its log line. */
    public static String newErrorId() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE).substring(0, 12);
    }

    /** Writes a complete JSON response; if the response is already committed the connection is aborted instead. */
    public static void write(Response response, Callback callback, int status, byte[] body) {
        if (response.isCommitted()) {
            callback.failed(new IllegalStateException("response already committed, cannot send " + status));
            return;
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    public static void write(Response response, Callback callback, int status, String message) {
        write(response, callback, status, body(status, message, null));
    }
}
