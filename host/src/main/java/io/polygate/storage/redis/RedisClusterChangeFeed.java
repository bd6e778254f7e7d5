package io.polygate.storage.redis;

import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubAdapter;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import java.net.SocketAddress;

/**
 * The change feed over Redis Cluster. Notices use classic pub/sub, which a cluster carries to
 * every node, so one subscription anywhere hears every node's notices. Keyspace notifications are
 * node-local on a cluster, so they are enabled ({@code K$gx}) and pattern-subscribed on every
 * master, and every master's notifications come to the one listener. Masters that join later (a
 * resharding) are not subscribed until the gateway restarts.
 */
public final class RedisClusterChangeFeed extends RedisFeed {
    private final StatefulRedisClusterPubSubConnection<String, String> pubsub;
    private volatile boolean started;

    public RedisClusterChangeFeed(RedisStore store) {
        super(store, 0);
        if (!(store.client() instanceof RedisClusterClient client)) {
            throw new IllegalArgumentException("the Redis Cluster change feed needs a Redis Cluster");
        }
        externalWrites(enableKeyspaceEventsOnEveryMaster(store));
        this.pubsub = client.connectPubSub();
        pubsub.setNodeMessagePropagation(true);
        pubsub.addListener(new RedisClusterPubSubAdapter<>() {
            @Override
            public void message(RedisClusterNode node, String channel, String message) { onMessage(channel, message); }

            @Override
            public void message(RedisClusterNode node, String pattern, String channel, String message) { onPatternMessage(pattern, channel); }
        });
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(io.lettuce.core.RedisChannelHandler<?, ?> connection, SocketAddress address) {
                // any node's connection came back: notices may have been missed
                if (started) reconnected();
            }
        });
        started = true;
    }

    @SuppressWarnings("unchecked")
    private static boolean enableKeyspaceEventsOnEveryMaster(RedisStore store) {
        try {
            var cluster = (StatefulRedisClusterConnection<String, String>) store.connection();
            for (RedisClusterNode node : cluster.getPartitions()) {
                if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) enableKeyspaceEvents(cluster.getConnection(node.getNodeId()).sync());
            }
            return true;
        } catch (RuntimeException e) {
            warnNoKeyspaceEvents(e);
            return false;
        }
    }

    @Override
    void subscribeChannel(String channel) { pubsub.sync().subscribe(channel); }

    @Override
    void subscribePattern(String pattern) { pubsub.sync().upstream().commands().psubscribe(pattern); }

    @Override
    void closeConnection() { pubsub.close(); }
}
