package io.polygate.storage.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;

/**
 * The change feed over a standalone or Sentinel Redis: notices are published on
 * {@code polygate:<topic>}; key changes arrive as keyspace notifications, which the feed enables at
 * start ({@code notify-keyspace-events}, adding {@code K$gx} to what is set) when the server allows
 * {@code CONFIG SET}; otherwise it logs what to configure and {@link #seesExternalWrites()} is
 * false. On Redis Cluster, {@link RedisClusterChangeFeed}.
 */
public final class RedisChangeFeed extends RedisFeed {
    private final StatefulRedisPubSubConnection<String, String> pubsub;

    public RedisChangeFeed(RedisStore store) {
        super(store, store.database());
        if (!(store.client() instanceof RedisClient client)) {
            throw new IllegalArgumentException("the Redis change feed needs a standalone or Sentinel Redis");
        }
        externalWrites(enableKeyspaceEvents(store));
        this.pubsub = client.connectPubSub(store.redisUri());
        pubsub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) { onMessage(channel, message); }

            @Override
            public void message(String pattern, String channel, String message) { onPatternMessage(pattern, channel); }
        });
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(io.lettuce.core.RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if ((Object) connection == pubsub) reconnected();
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static boolean enableKeyspaceEvents(RedisStore store) {
        try {
            enableKeyspaceEvents(((StatefulRedisConnection<String, String>) store.connection()).sync());
            return true;
        } catch (RuntimeException e) {
            warnNoKeyspaceEvents(e);
            return false;
        }
    }

    @Override
    void subscribeChannel(String channel) { pubsub.sync().subscribe(channel); }

    @Override
    void subscribePattern(String pattern) { pubsub.sync().psubscribe(pattern); }

    @Override
    void closeConnection() { pubsub.close(); }
}
