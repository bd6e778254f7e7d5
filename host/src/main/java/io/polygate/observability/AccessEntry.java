package io.polygate.observability;

import java.time.Instant;

/**
 * What the access log records of one request, once its response is complete.
 *
 * @param time          when the request arrived
 * @param requestId     its {@code X-Request-Id}
 * @param api           the matched API's id, or null (no API listens on the path)
 * @param method        the client's method
 * @param path          the client's raw path
 * @param query         the client's raw query string (without {@code ?}), or null
 * @param status        the status the client got; 599 when the exchange failed before a response
 * @param bytesIn       request body bytes read from the client
 * @param bytesOut      response body bytes written to the client
 * @param durationNanos arrival to the end of the response
 * @param upstreamNanos hand-off to the upstream to the end of the response, or -1 (not forwarded)
 * @param clientIp      the connection's remote address
 * @param keyHash       the SHA-256 of the authenticated key, or null (keyless, or not authenticated)
 */
public record AccessEntry(Instant time, String requestId, String api, String method, String path, String query,
                          int status, long bytesIn, long bytesOut, long durationNanos, long upstreamNanos,
                          String clientIp, String keyHash) {}
