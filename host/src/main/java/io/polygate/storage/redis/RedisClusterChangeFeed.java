package io.polygate.storage.redis;

import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubAdapter;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.polygate.storage.ChangeFeed;
import java.net.SocketAddress;
import java.util.function.Consumer;

/**
 * The {@link ChangeFeed} over Redis Cluster. Notices use classic pub/sub, which a cluster carries
 * to every node, so one subscription anywhere hears every node's notices. Keyspace notifications
 * are node-local on a cluster, so they are enabled ({@code K$gx}) and pattern-subscribed on every
 * master, and every master's notifications come to the one listener. Masters that join later (a
 * resharding) are not subscribed until the gateway restarts.
 */
public final class RedisClusterChangeFeed implements ChangeFeed {
    private final RedisStore store;
    private final FeedListeners listeners;
    private final StatefulRedisClusterPubSubConnection<String, String> pubsub;
    private final boolean externalWrites;
    private volatile boolean started;

    public RedisClusterChangeFeed(RedisStore store) {
        this.store = store;
        if (!(store.client() instanceof RedisClusterClient client)) {
            throw new IllegalArgumentException("the Redis Cluster change feed needs a Redis Cluster");
        }
        this.listeners = new FeedListeners(0);
        this.externalWrites = enableKeyspaceEventsOnEveryMaster();
        this.pubsub = client.connectPubSub();
        pubsub.setNodeMessagePropagation(true);
        pubsub.addListener(new RedisClusterPubSubAdapter<>() {
            @Override
            public void message(RedisClusterNode node, String channel, String message) { listeners.onMessage(channel, message); }

            @Override
            public void message(RedisClusterNode node, String pattern, String channel, String message) {
                listeners.onPatternMessage(pattern, channel);
            }
        });
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(io.lettuce.core.RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if (started) listeners.reconnected();
            }
        });
        started = true;
    }

    @SuppressWarnings("unchecked")
    private boolean enableKeyspaceEventsOnEveryMaster() {
        try {
            var cluster = (StatefulRedisClusterConnection<String, String>) store.connection();
            for (RedisClusterNode node : cluster.getPartitions()) {
                if (!node.is(RedisClusterNode.NodeFlag.UPSTREAM)) continue;
                var sync = cluster.getConnection(node.getNodeId()).sync();
                String current = sync.configGet("notify-keyspace-events").getOrDefault("notify-keyspace-events", "");
                String flags = FeedListeners.withKeyspaceFlags(current);
                if (!flags.equals(current)) sync.configSet("notify-keyspace-events", flags);
            }
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
        return listeners.addKeyWatch(prefix, listener, pattern -> pubsub.sync().upstream().commands().psubscribe(pattern));
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
