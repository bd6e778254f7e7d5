/**
 * The in-memory limiters, one per {@code config.Algorithm}, and the in-memory quota counter: exact
 * within one node.
 *
 * <p>May use: {@code limit} (the {@code LimitBackend}, {@code RateLimiter} and {@code QuotaCounter} contracts) and
 * {@code config}.
 */
package io.polygate.limit.local;
