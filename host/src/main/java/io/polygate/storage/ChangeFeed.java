package io.polygate.storage;

import java.util.function.Consumer;

/**
 * Notices between gateway nodes, and changes of stored keys, however they were made. With the
 * in-memory store this is in-process; with Redis, notices travel over pub/sub and key changes come
 * from keyspace notifications, so a plain {@code redis-cli SET} is seen by every node.
 *
 * <p>Threading: listeners are called on a feed thread, never on a request thread, one notice at a
 * time per feed; a listener must not block for long. A listener that throws is logged and stays
 * subscribed. Delivery is at most once (a node that is disconnected misses notices and must
 * resynchronise when it reconnects: see {@link #onReconnect}).
 */
public interface ChangeFeed extends AutoCloseable {

    /** Sends {@code message} on {@code topic} to every node, this one included. */
    void publish(String topic, String message);

    /** Calls {@code listener} with every message published on {@code topic}. */
    AutoCloseable subscribe(String topic, Consumer<String> listener);

    /**
     * Calls {@code listener} with the key whenever a key starting with {@code prefix} is set,
     * deleted or expires, by this gateway, another node or any other client of the store.
     */
    AutoCloseable watchKeys(String prefix, Consumer<String> listener);

    /** Calls {@code action} after the feed reconnected (notices may have been missed meanwhile). */
    void onReconnect(Runnable action);

    /** Whether key changes made outside the gateway are seen (false if the store refused to enable them). */
    boolean seesExternalWrites();

    @Override
    void close();
}
