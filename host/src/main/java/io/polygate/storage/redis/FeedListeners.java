package io.polygate.storage.redis;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of a Redis change feed and the one thread that calls them: notices by topic
 * ({@code polygate:<topic>} channels), key changes by watched prefix (keyspace notifications,
 * {@code __keyspace@<db>__:<key>}), and what to run after a reconnect. Shared by the standalone
 * and the cluster feed, which differ only in where they subscribe.
 */
final class FeedListeners implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FeedListeners.class);
    static final String TOPIC_PREFIX = "polygate:";

    private final String keyspacePrefix;
    private final Map<String, List<Consumer<String>>> topics = new ConcurrentHashMap<>();
    private final Map<String, List<Consumer<String>>> keyWatches = new ConcurrentHashMap<>();
    private final List<Runnable> reconnectActions = new CopyOnWriteArrayList<>();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "change-feed");
        t.setDaemon(true);
        return t;
    });

    FeedListeners(int database) {
        this.keyspacePrefix = "__keyspace@" + database + "__:";
    }

    /** The pattern that watches keys starting with {@code prefix}. */
    String keyPattern(String prefix) { return keyspacePrefix + RedisStore.globEscape(prefix) + "*"; }

    /** A message on a channel the feed subscribed to. */
    void onMessage(String channel, String message) {
        if (channel.startsWith(TOPIC_PREFIX)) dispatch(topics.get(channel.substring(TOPIC_PREFIX.length())), message);
    }

    /** A keyspace notification on a pattern the feed subscribed to. */
    void onPatternMessage(String pattern, String channel) {
        if (!channel.startsWith(keyspacePrefix)) return;
        String key = channel.substring(keyspacePrefix.length());
        String prefix = pattern.substring(keyspacePrefix.length(), pattern.length() - 1).replace("\\", "");
        dispatch(keyWatches.get(prefix), key);
    }

    /** Adds a topic listener; {@code subscribe} runs once per topic, with its channel. */
    AutoCloseable addTopic(String topic, Consumer<String> listener, Consumer<String> subscribe) {
        return add(topics, topic, listener, t -> subscribe.accept(TOPIC_PREFIX + t));
    }

    /** Adds a key watch; {@code psubscribe} runs once per prefix, with its pattern. */
    AutoCloseable addKeyWatch(String prefix, Consumer<String> listener, Consumer<String> psubscribe) {
        return add(keyWatches, prefix, listener, p -> psubscribe.accept(keyPattern(p)));
    }

    private static AutoCloseable add(Map<String, List<Consumer<String>>> map, String name, Consumer<String> listener,
                                     Consumer<String> firstOfItsName) {
        List<Consumer<String>> list = map.computeIfAbsent(name, (Function<String, List<Consumer<String>>>) n -> {
            firstOfItsName.accept(n);
            return new CopyOnWriteArrayList<>();
        });
        list.add(listener);
        return () -> list.remove(listener);
    }

    void onReconnect(Runnable action) { reconnectActions.add(action); }

    /** Runs the reconnect actions on the feed thread. */
    void reconnected() {
        for (Runnable r : reconnectActions) thread.execute(safely(r));
    }

    private void dispatch(List<Consumer<String>> listeners, String value) {
        if (listeners == null || listeners.isEmpty()) return;
        thread.execute(() -> {
            for (Consumer<String> l : listeners) safely(() -> l.accept(value)).run();
        });
    }

    private static Runnable safely(Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("change listener failed: {}", e.toString(), e);
            }
        };
    }

    /** The flags {@code notify-keyspace-events} needs ({@code K$gx}: keyspace events of strings, generic commands, expiry) added to {@code current}. */
    static String withKeyspaceFlags(String current) {
        StringBuilder flags = new StringBuilder(current);
        for (char c : "K$gx".toCharArray()) {
            if (current.indexOf(c) < 0 && !(c != 'K' && current.indexOf('A') >= 0)) flags.append(c);
        }
        return flags.toString();
    }

    static void warnNoKeyspaceEvents(RuntimeException e) {
        LOG.warn("Redis keyspace notifications could not be enabled ({}): plain writes into Redis will not invalidate "
                + "cached sessions until they expire. Set notify-keyspace-events to include K$gx on the server.", e.getMessage());
    }

    @Override
    public void close() { thread.shutdownNow(); }
}
