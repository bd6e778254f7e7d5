/**
 * The shared store port: {@link io.polygate.storage.Store} (keys, values, TTLs, scans),
 * {@link io.polygate.storage.ChangeFeed} (notices between nodes and key-change events),
 * {@link io.polygate.storage.RedisScripting} (Lua scripting on a Redis store's connection, for the
 * shared rate limiters) and {@link io.polygate.storage.StoreException}. Implementations live in
 * {@code storage.memory} and {@code storage.redis}; {@code assembly.Stores} picks one.
 *
 * <p>Owns: what "the store" can do. May use: {@code config}; used by every package above it.
 */
package io.polygate.storage;
