package io.polygate.storage.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.polygate.storage.ChangeFeed;
import java.net.SocketAddress;
import java.util.function.Consumer;

/**
 * The {@link ChangeFeed} over a standalone or Sentinel Redis: notices are published on
 * {@code polygate:<topic>}; key changes arrive as keyspace notifications, which the feed enables at
 * start ({@code notify-keyspace-events}, adding {@code K$gx} to what is set) when the server allows
 * {@code CONFIG SET}; otherwise it logs what to configure and {@link #seesExternalWrites()} is
 * false. On Redis Cluster, {@link RedisClusterChangeFeed}.
 */
public final class RedisChangeFeed implements ChangeFeed {
    private final RedisStore store;
    private final FeedListeners listeners;
    private final StatefulRedisPubSubConnection<String, String> pubsub;
    private final boolean externalWrites;

    public RedisChangeFeed(RedisStore store) {
        this.store = store;
        if (!(store.client() instanceof RedisClient client)) {
            throw new IllegalArgumentException("the Redis change feed needs a standalone or Sentinel Redis");
        }
        this.listeners = new FeedListeners(store.database());
        this.externalWrites = enableKeyspaceEvents();
        this.pubsub = client.connectPubSub(store.redisUri());
        pubsub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) { listeners.onMessage(channel, message); }

            @Override
            public void message(String pattern, String channel, String message) { listeners.onPatternMessage(pattern, channel); }
        });
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(io.lettuce.core.RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if ((Object) connection == pubsub) listeners.reconnected();
            }
        });
    }

    private boolean enableKeyspaceEvents() {
        try {
            var sync = ((StatefulRedisConnection<String, String>) store.connection()).sync();
            String current = sync.configGet("notify-keyspace-events").getOrDefault("notify-keyspace-events", "");
            String flags = FeedListeners.withKeyspaceFlags(current);
            if (!flags.equals(current)) sync.configSet("notify-keyspace-events", flags);
            return true;
        } catch (RuntimeException e) {
            FeedListeners.warnNoKeyspaceEvents(e);
            return false;
        }
    }

    @Override
    public void publish(String topic, String message) {
        store.publish(FeedListeners.TOPIC_PREFIX + topic, message);
    }

    @Override
    public AutoCloseable subscribe(String topic, Consumer<String> listener) {
        return listeners.addTopic(topic, listener, channel -> pubsub.sync().subscribe(channel));
    }

    @Override
    public AutoCloseable watchKeys(String prefix, Consumer<String> listener) {
        return listeners.addKeyWatch(prefix, listener, pattern -> pubsub.sync().psubscribe(pattern));
    }

    @Override
    public void onReconnect(Runnable action) { listeners.onReconnect(action); }

    @Override
    public boolean seesExternalWrites() { return externalWrites; }

    @Override
    public void close() {
        try {
            pubsub.close();
        } finally {
            listeners.close();
        }
    }
}
