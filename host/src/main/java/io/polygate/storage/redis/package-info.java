/**
 * The Redis store (standalone, Sentinel or Cluster) over one multiplexed Lettuce connection,
 * implementing {@code Store} and {@code RedisScripting}, and the change feed over Redis pub/sub and
 * keyspace notifications ({@code RedisFeed}: {@code RedisChangeFeed} on one server,
 * {@code RedisClusterChangeFeed} on every master of a cluster).
 *
 * <p>May use: {@code storage} (the ports it implements) and Lettuce.
 */
package io.polygate.storage.redis;
