package io.polygate.bundle;

import java.time.Instant;

/**
 * What one node reports for a bundle.
 *
 * @param state {@code loading}, {@code ready}, {@code failed} or {@code missing} as the node wrote it;
 *              {@code unknown} when the node has not reported; while an upload waits for the nodes,
 *              {@code ready}, {@code failed} or {@code pending}
 */
public record NodeStatus(String node, String version, String state, String error, Instant at) {}
