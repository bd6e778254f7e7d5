/**
 * Wiring: turns definitions into running parts. {@link io.polygate.assembly.Stores} opens the
 * configured store and its change feed; {@link io.polygate.assembly.LimitBackends} picks where the
 * limits count for that store (in memory, or Redis with in-memory stand-ins); {@link io.polygate.assembly.RouteBuilder} builds an API's
 * {@code proxy.Route} (auth, bundle hooks, limits, upstream, in chain order);
 * {@link io.polygate.assembly.ApiRegistry} holds the API definitions, persists them and swaps the
 * route table when they change.
 *
 * <p>Owns: which step goes where. May use: {@code bundle}, {@code auth}, {@code limit},
 * {@code plugin}, {@code proxy}, {@code chain} and the base; used by the root package and
 * {@code admin} only.
 */
package io.polygate.assembly;
