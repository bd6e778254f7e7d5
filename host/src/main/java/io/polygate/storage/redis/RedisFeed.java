package io.polygate.storage.redis;

import io.polygate.storage.ChangeFeed;
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
 * {@code __keyspace@<db>__:<key>}), and what to run after a reconnect: the part of the
 * {@link ChangeFeed} the standalone and the cluster feed share. They differ only in where they
 * subscribe ({@link #subscribeChannel}, {@link #subscribePattern}).
 */
abstract sealed class RedisFeed implements ChangeFeed permits RedisChangeFeed, RedisClusterChangeFeed {
    private static final Logger LOG = LoggerFactory.getLogger(RedisFeed.class);
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

    private final RedisStore store;
    private boolean externalWrites;

    RedisFeed(RedisStore store, int database) {
        this.store = store;
        this.keyspacePrefix = "__keyspace@" + database + "__:";
    }

    /** Subscribes the feed's pub/sub connection to a channel. */
    abstract void subscribeChannel(String channel);

    /** Pattern-subscribes the feed to keyspace notifications (on every node that has them). */
    abstract void subscribePattern(String pattern);

    /** Closes the feed's pub/sub connection. */
    abstract void closeConnection();

    /** Whether keyspace notifications were enabled on the server (set once, while the feed starts). */
    void externalWrites(boolean enabled) { this.externalWrites = enabled; }

    @Override
    public void publish(String topic, String message) {
        store.publish(TOPIC_PREFIX + topic, message);
    }

    @Override
    public AutoCloseable subscribe(String topic, Consumer<String> listener) {
        return add(topics, topic, listener, t -> subscribeChannel(TOPIC_PREFIX + t));
    }

    @Override
    public AutoCloseable watchKeys(String prefix, Consumer<String> listener) {
        return add(keyWatches, prefix, listener, p -> subscribePattern(keyPattern(p)));
    }

    @Override
    public void onReconnect(Runnable action) { reconnectActions.add(action); }

    @Override
    public boolean seesExternalWrites() { return externalWrites; }

    @Override
    public void close() {
        try {
            closeConnection();
        } finally {
            thread.shutdownNow();
        }
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

    private static AutoCloseable add(Map<String, List<Consumer<String>>> map, String name, Consumer<String> listener,
                                     Consumer<String> firstOfItsName) {
        List<Consumer<String>> list = map.computeIfAbsent(name, (Function<String, List<Consumer<String>>>) n -> {
            firstOfItsName.accept(n);
            return new CopyOnWriteArrayList<>();
        });
        list.add(listener);
        return () -> list.remove(listener);
    }

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

    /** Adds the flags keyspace notifications need to what the server has set. */
    static void enableKeyspaceEvents(io.lettuce.core.api.sync.RedisServerCommands<String, String> server) {
        String current = server.configGet("notify-keyspace-events").getOrDefault("notify-keyspace-events", "");
        String flags = withKeyspaceFlags(current);
        if (!flags.equals(current)) server.configSet("notify-keyspace-events", flags);
    }

    /** The flags {@code notify-keyspace-events} needs ({@code K$gx}: keyspace events of strings, generic commands, expiry) added to {@code current}. */
    private static String withKeyspaceFlags(String current) {
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
}
