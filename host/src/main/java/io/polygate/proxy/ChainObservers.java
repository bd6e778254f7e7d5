package io.polygate.proxy;

import io.polygate.observability.AccessLog;
import io.polygate.observability.Tracing;

/**
 * What watches the requests of a {@link ChainHandler} besides the metrics.
 *
 * @param accessLog    one line per request ({@link AccessLog#OFF}: none)
 * @param tracing      spans per request ({@link Tracing#OFF}: none)
 * @param health       answers {@code /hello} and {@code /ready}, or null (those paths go to the routes)
 * @param keyIdsHashed whether the key ids steps authenticate with are already the keys' SHA-256
 *                     ({@code hash_keys}); if not, the access log hashes them
 */
public record ChainObservers(AccessLog accessLog, Tracing tracing, HealthEndpoints health, boolean keyIdsHashed) {
    /** No access log, no tracing, no health endpoints. */
    public static final ChainObservers NONE = new ChainObservers(AccessLog.OFF, Tracing.OFF, null, true);
}
