package io.polygate.storage;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where keys, sessions, API data and plugin data live: a string key-value store with expiry.
 * Two implementations behave the same: {@code memory.MemoryStore} (one process) and
 * {@code redis.RedisStore} (shared by every gateway node).
 *
 * <p>Threading: every method may be called from any thread at once. Blocking: the Redis
 * implementation blocks for one round trip per call (bounded by the configured timeout).
 * Errors: a store that cannot be reached throws {@link StoreException}; callers turn it into a 503.
 * Nulls: keys and values are never null; {@link #get} returns null for a missing or expired key.
 */
public interface Store extends AutoCloseable {

    /** The value, or null when absent or expired. */
    String get(String key);

    /**
     * {@link #get} without holding the calling thread for the round trip: the stage may complete
     * on the store's I/O thread (where what follows must not block), with a {@link StoreException}
     * when the store cannot answer. The default, for a store that never blocks, completes at once.
     */
    default CompletionStage<String> getAsync(String key) {
        try {
            return CompletableFuture.completedFuture(get(key));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Sets the value; {@code ttl} null or non-positive keeps it until deleted. */
    void set(String key, String value, Duration ttl);

    /** Sets the value only when the key is absent; true when it was set. */
    boolean setIfAbsent(String key, String value, Duration ttl);

    /** Deletes the key; true when it existed. */
    boolean delete(String key);

    /** Every live key starting with {@code prefix}, in no particular order. */
    List<String> keys(String prefix);

    /** A short human description ("memory", "redis redis://host:6379") for logs and /health. */
    String describe();

    /** Whether calls may block on the network (false for the in-process store). */
    default boolean remote() { return true; }

    /** Whether the store answers now. */
    boolean ping();

    @Override
    void close();
}
