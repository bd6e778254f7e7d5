/**
 * What operators see: the metrics ({@link io.polygate.observability.Metrics}) and the JSON error
 * bodies ({@link io.polygate.observability.JsonErrors}, {@link io.polygate.observability.JsonErrorHandler}).
 *
 * <p>Owns: metric names and the error body shape. May use: no other gateway package (the bottom
 * of the graph).
 */
package io.polygate.observability;
