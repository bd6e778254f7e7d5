/**
 * TLS: the server certificates of the TLS listeners (PEM files, picked by SNI, reloaded when they
 * change), the connectors speaking HTTPS, HTTP/2 and h2c, and the client side of upstream TLS.
 *
 * <p>Owns: reading PEM files into key and trust stores, Jetty's SSL context factories. May use:
 * {@code config}. Used by the gateway (the listeners) and {@code proxy} (upstream TLS).
 */
package io.polygate.tls;
