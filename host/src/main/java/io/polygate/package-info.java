/**
 * The gateway process: {@link io.polygate.Main} runs the command line ({@code io.polygate.cli}),
 * whose {@code start} reads the config and starts a {@link io.polygate.Gateway}, which opens the store, builds the shared parts (node registry, limits,
 * plugin loader, bundle store, route builder, API registry) and the Jetty servers, and closes them
 * in reverse. {@link io.polygate.StoreWaitServer} answers 503 on its ports while
 * {@code storage.wait_at_start} waits for Redis.
 *
 * <p>Owns: the process lifecycle. May use: every package (it is the top of the graph; see README
 * "Architecture" and {@code ArchitectureTest}); nothing uses it.
 */
package io.polygate;
