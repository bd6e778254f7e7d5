package io.polygate.proxy;

import io.polygate.chain.Exchange;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Where a request goes after its chain: a proxied HTTP upstream or the built-in echo.
 * {@link #forward} takes over the response: it completes {@code callback} exactly once, after the
 * whole response was written (or failed). It must not block on the network. The response already
 * carries the exchange's response headers ({@link io.polygate.chain.Exchange#addResponseHeadersTo}).
 */
public interface Upstream {
    void forward(Exchange exchange, Response response, Callback callback);

    /** Whether {@link #forward} may block its thread (see {@code Step.mayBlock}). */
    default boolean mayBlock() { return false; }
}
