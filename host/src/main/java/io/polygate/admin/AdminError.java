package io.polygate.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.polygate.assembly.ApiRegistry;
import io.polygate.bundle.BundleStore;
import io.polygate.config.ConfigErrors.Problem;
import io.polygate.observability.JsonErrors;
import io.polygate.storage.StoreException;
import java.util.List;

/**
 * The admin API's one error: the HTTP status, the message, the problems naming each wrong field of
 * a bad body ({@code errors} as text, {@code field_errors} with the field apart), and for an
 * unexpected failure the {@code error_id} of its log line.
 * {@link #of} is the one place where what the layers below throw becomes one.
 */
final class AdminError extends RuntimeException {
    final int status;
    /** Each wrong field of a bad body; null when the message says it all. */
    final List<Problem> problems;
    /** Set for failures the client cannot fix (500, 503): the id in the answer and in the log line. */
    final String errorId;

    AdminError(int status, String message) { this(status, message, null); }

    AdminError(int status, String message, List<Problem> problems) { this(status, message, problems, null, null); }

    /** A 400 for one wrong field, whose message is {@code field: error}. */
    static AdminError badField(String field, String error) {
        Problem problem = new Problem(field, error);
        return new AdminError(400, problem.text(), List.of(problem));
    }

    /** {@code cause}: what to log with its stack trace; null when the message says enough. */
    private AdminError(int status, String message, List<Problem> problems, String errorId, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.problems = problems;
        this.errorId = errorId;
    }

    /** An unexpected failure: answered and logged with a new error id. */
    private static AdminError unexpected(int status, String message, Throwable cause) {
        return new AdminError(status, message, null, JsonErrors.newErrorId(), cause);
    }

    /**
     * What a call threw, as the admin API answers it: a refused API change or bundle with the
     * status it names, an unreachable store a 503, anything else a 500.
     */
    static AdminError of(Exception e) {
        if (e instanceof AdminError error) return error;
        if (e instanceof ApiRegistry.Conflict conflict) return new AdminError(conflict.status, conflict.getMessage());
        if (e instanceof BundleStore.Refused refused) return new AdminError(status(refused.reason), refused.getMessage());
        if (e instanceof StoreException) return unexpected(503, "storage unavailable: " + e.getMessage(), null);
        return unexpected(500, "internal error: " + e.getMessage(), e);
    }

    private static int status(BundleStore.Refused.Reason reason) {
        return switch (reason) {
            case INVALID -> 400;
            case TOO_LARGE -> 413;
            case IN_BUNDLES_DIR -> 409;
            case STORE_UNREACHABLE, STOPPING -> 503;
            case UNPACK_FAILED -> 500;
        };
    }

    /**
     * The answer's body: Polygate's {@code {"error":...,"status":...}} (with {@code error_id} and
     * {@code errors} when set), or on the Tyk paths Tyk's {@code {"status":"error","message":...}}
     * with the error id at the end of the message.
     */
    byte[] body(boolean tykShape) {
        if (!tykShape) {
            List<String> texts = problems == null ? null : problems.stream().map(Problem::text).toList();
            return JsonErrors.body(status, getMessage(), errorId, texts, problems);
        }
        String text = errorId == null ? getMessage() : getMessage() + " (error_id " + errorId + ")";
        try {
            return AdminRequests.JSON.writeValueAsBytes(TykGatewayApi.error(text));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
