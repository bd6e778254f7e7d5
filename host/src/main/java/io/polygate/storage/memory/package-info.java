/**
 * The in-memory store and change feed: one node, nothing shared, nothing kept across restarts.
 *
 * <p>May use: {@code storage} (the port it implements).
 */
package io.polygate.storage.memory;
