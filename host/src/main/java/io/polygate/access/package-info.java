/**
 * Who may call an API at all, decided before plugins and authentication run: {@link
 * io.polygate.access.IpAccessStep} (IP allow and block lists) and {@link io.polygate.access.CorsStep}
 * (CORS preflights answered, CORS headers on every answer).
 *
 * <p>Owns: those two steps. May use: chain, config, observability.
 */
package io.polygate.access;
