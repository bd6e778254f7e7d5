/**
 * The Redis limiters (one Lua script per check, shared by all nodes) and the Redis quota counter,
 * over a store's {@code storage.RedisScripting}: the {@code limit.LimitBackend} of a Redis store.
 *
 * <p>May use: {@code limit} (the contracts), {@code config} and {@code storage}.
 */
package io.polygate.limit.redis;
