/**
 * The Redis limiters (one Lua script per check, shared by all nodes), the Redis quota counter and
 * the DRL node heartbeat, over a store's {@code storage.RedisScripting}.
 *
 * <p>May use: {@code limit} (the contracts), {@code config} and {@code storage}.
 */
package io.polygate.limit.redis;
