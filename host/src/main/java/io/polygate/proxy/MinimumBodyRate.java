package io.polygate.proxy;

import io.micrometer.core.instrument.Counter;
import io.polygate.observability.Metrics;
import java.time.Duration;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * A minimum data rate for request bodies ({@code proxy.min_request_data_rate}): a body arriving
 * slower, on average since the gateway started reading it, fails the read with Jetty's
 * {@code HttpException} 408, which the proxy answers (and logs with the API) as a 408 JSON error
 * with the connection closed; counted in {@code polygate_client_timeouts_total{reason="body"}}.
 * Checked only when the reader waits for the client (a read finds nothing), so a reader that is
 * slow itself (an upstream taking the body slowly) is not held against the client, and only once
 * {@code grace} has passed, so that a small body's first round trip is not judged. (Jetty's own
 * {@code MinimumDataRateHandler} divides the bytes of all requests by the time of one.)
 *
 * <p>Requests without a body are not wrapped: nothing is allocated for them.
 */
final class MinimumBodyRate {
    private final long bytesPerSecond;
    private final long graceNanos;
    private final Counter failed;

    /** @param bytesPerSecond 0 = no minimum */
    MinimumBodyRate(long bytesPerSecond, Duration grace, Metrics metrics) {
        this.bytesPerSecond = bytesPerSecond;
        this.graceNanos = grace.toNanos();
        this.failed = metrics.counter("polygate.client.timeouts",
                "Client connections closed because the request arrived too slowly", "reason", "body");
    }

    /** The request, watched when it has a body and there is a minimum. */
    Request watch(Request request) {
        boolean body = request.getLength() > 0 || request.getLength() < 0 && request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
        if (bytesPerSecond == 0 || !body) return request;
        return new Watched(request);
    }

    /** Reads are sequential (Content.Source), so plain fields suffice. */
    private final class Watched extends Request.Wrapper {
        private long firstRead;
        private long bytes;
        private boolean tooSlow;

        Watched(Request request) {
            super(request);
        }

        @Override
        public Content.Chunk read() {
            long now = System.nanoTime();
            if (firstRead == 0) firstRead = now;
            Content.Chunk chunk = super.read();
            if (chunk != null) {
                bytes += chunk.remaining();
                return chunk;
            }
            long elapsed = now - firstRead;
            if (elapsed <= graceNanos || bytes * 1_000_000_000L / elapsed >= bytesPerSecond) return null;
            long rate = bytes * 1_000_000_000L / elapsed;
            if (!tooSlow) {
                tooSlow = true;
                failed.increment();
            }
            return Content.Chunk.from(new HttpException.RuntimeException(408, "request body arrived at " + rate
                    + " bytes/s, under the minimum of " + bytesPerSecond + " bytes/s (proxy.min_request_data_rate)"), true);
        }
    }
}
