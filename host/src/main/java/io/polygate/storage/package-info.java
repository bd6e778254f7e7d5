/**
 * The shared store port: {@link io.polygate.storage.Store} (keys, values, TTLs, scans),
 * {@link io.polygate.storage.ChangeFeed} (notices between nodes and key-change events),
 * {@link io.polygate.storage.RedisScripting} (Lua scripting on a Redis store's connection, for the
 * shared rate limiters and the node registry) and {@link io.polygate.storage.StoreException}.
 * Implementations live in {@code storage.memory} and {@code storage.redis}; {@code assembly.Stores}
 * picks one. Over the store, {@link io.polygate.storage.Nodes}: the one registry of the gateway
 * nodes sharing it (this node's id, heartbeats, the live nodes), used by the distributed rate
 * limiter and the bundle statuses.
 *
 * <p>Owns: what "the store" can do, and which nodes share it. May use: {@code config}; used by every package above it.
 */
package io.polygate.storage;
