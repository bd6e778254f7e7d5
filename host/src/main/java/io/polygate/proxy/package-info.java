/**
 * Serving a request: {@link io.polygate.proxy.ChainHandler} matches the
 * {@link io.polygate.proxy.Route} in the current {@link io.polygate.proxy.RouteTable}, runs its steps
 * and hands the exchange to its {@link io.polygate.proxy.Upstream}: the proxied HTTP upstream
 * ({@link io.polygate.proxy.UpstreamHandler}) or the built-in echo; {@code BufferedBody} replays to
 * either a body a step read into the exchange.
 *
 * <p>Owns: the listen port's request path and forwarding. May use: {@code chain}, {@code tls} (the
 * client side of upstream TLS) and the base;
 * used by {@code plugin} (response hooks wrap an upstream), {@code bundle} and {@code assembly}.
 */
package io.polygate.proxy;
