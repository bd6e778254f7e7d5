package io.polygate.storage.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.polygate.storage.ChangeFeed;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ChangeFeed} over Redis: notices are published on {@code polygate:<topic>}; key
 * changes arrive as keyspace notifications ({@code __keyspace@<db>__:<key>}), which the feed
 * enables at start ({@code notify-keyspace-events}, adding {@code K$gx} to what is set) when the
 * server allows {@code CONFIG SET}; otherwise it logs what to configure and
 * {@link #seesExternalWrites()} is false. Standalone and Sentinel only: on Redis Cluster keyspace
 * notifications are node-local, so only notices are carried.
 */
public final class RedisChangeFeed implements ChangeFeed {
    private static final Logger LOG = LoggerFactory.getLogger(RedisChangeFeed.class);
    static final String TOPIC_PREFIX = "polygate:";

    private final RedisStore store;
    private final StatefulRedisPubSubConnection<String, String> pubsub;
    private final String keyspacePrefix;
    private final Map<String, List<Consumer<String>>> topics = new ConcurrentHashMap<>();
    private final Map<String, List<Consumer<String>>> keyWatches = new ConcurrentHashMap<>();
    private final List<Runnable> reconnectActions = new CopyOnWriteArrayList<>();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "change-feed");
        t.setDaemon(true);
        return t;
    });
    private final boolean externalWrites;

    public RedisChangeFeed(RedisStore store) {
        this.store = store;
        if (!(store.client() instanceof RedisClient client)) {
            throw new IllegalArgumentException("the Redis change feed needs a standalone or Sentinel Redis");
        }
        this.keyspacePrefix = "__keyspace@" + store.database() + "__:";
        this.externalWrites = enableKeyspaceEvents();
        this.pubsub = client.connectPubSub(store.redisUri());
        pubsub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                if (channel.startsWith(TOPIC_PREFIX)) dispatch(topics.get(channel.substring(TOPIC_PREFIX.length())), message);
            }

            @Override
            public void message(String pattern, String channel, String message) {
                if (!channel.startsWith(keyspacePrefix)) return;
                String key = channel.substring(keyspacePrefix.length());
                String prefix = pattern.substring(keyspacePrefix.length(), pattern.length() - 1).replace("\\", "");
                dispatch(keyWatches.get(prefix), key);
            }
        });
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(io.lettuce.core.RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if ((Object) connection == pubsub) for (Runnable r : reconnectActions) thread.execute(safely(r));
            }
        });
    }

    private boolean enableKeyspaceEvents() {
        try {
            var sync = ((StatefulRedisConnection<String, String>) store.connection()).sync();
            String current = sync.configGet("notify-keyspace-events").getOrDefault("notify-keyspace-events", "");
            StringBuilder flags = new StringBuilder(current);
            for (char c : "K$gx".toCharArray()) {
                if (current.indexOf(c) < 0 && !(c != 'K' && current.indexOf('A') >= 0)) flags.append(c);
            }
            if (!flags.toString().equals(current)) sync.configSet("notify-keyspace-events", flags.toString());
            return true;
        } catch (RuntimeException e) {
            LOG.warn("Redis keyspace notifications could not be enabled ({}): plain writes into Redis will not invalidate "
                    + "cached sessions until they expire. Set notify-keyspace-events to include K$gx on the server.", e.getMessage());
            return false;
        }
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

    @Override
    public void publish(String topic, String message) {
        store.publish(TOPIC_PREFIX + topic, message);
    }

    @Override
    public AutoCloseable subscribe(String topic, Consumer<String> listener) {
        List<Consumer<String>> list = topics.computeIfAbsent(topic, t -> {
            pubsub.sync().subscribe(TOPIC_PREFIX + t);
            return new CopyOnWriteArrayList<>();
        });
        list.add(listener);
        return () -> list.remove(listener);
    }

    @Override
    public AutoCloseable watchKeys(String prefix, Consumer<String> listener) {
        List<Consumer<String>> list = keyWatches.computeIfAbsent(prefix, p -> {
            pubsub.sync().psubscribe(keyspacePrefix + RedisStore.globEscape(p) + "*");
            return new CopyOnWriteArrayList<>();
        });
        list.add(listener);
        return () -> list.remove(listener);
    }

    @Override
    public void onReconnect(Runnable action) { reconnectActions.add(action); }

    @Override
    public boolean seesExternalWrites() { return externalWrites; }

    @Override
    public void close() {
        try {
            pubsub.close();
        } finally {
            thread.shutdownNow();
        }
    }

}
