/**
 * The request chain's vocabulary: the {@link io.polygate.chain.Exchange} (one request on its way,
 * with the id of the API it matched: the only per-request state, buffered body, extracted id and
 * the response headers steps add included), a {@link io.polygate.chain.Step} and its
 * {@link io.polygate.chain.Outcome} and {@link io.polygate.chain.Phase}, and the
 * {@link io.polygate.chain.Pin} a route holds while a request is inside it. Running a chain is
 * {@code proxy.ChainHandler}'s job.
 *
 * <p>Owns: what every step sees. May use: the base only ({@code config}, {@code observability},
 * {@code storage}, {@code session}); knows nothing of {@code proxy}, {@code plugin}, {@code auth}
 * or {@code limit}, which all build on it.
 */
package io.polygate.chain;
