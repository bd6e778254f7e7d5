/**
 * What operators see: the metrics ({@link io.polygate.observability.Metrics}, Micrometer's
 * Prometheus registry; {@link io.polygate.observability.RequestMeters} per API,
 * {@link io.polygate.observability.RuntimeMeters} for the JVM and Jetty, served by
 * {@link io.polygate.observability.MetricsText} and {@link io.polygate.observability.MetricsListener})
 * and the JSON error bodies ({@link io.polygate.observability.JsonErrors},
 * {@link io.polygate.observability.JsonErrorHandler}).
 *
 * <p>Owns: metric names, their label policy and the error body shape. May use: no other gateway
 * package (the bottom of the graph).
 */
package io.polygate.observability;
