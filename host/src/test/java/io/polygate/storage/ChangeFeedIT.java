package io.polygate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.storage.memory.MemoryChangeFeed;
import io.polygate.storage.memory.MemoryStore;
import io.polygate.storage.redis.RedisChangeFeed;
import io.polygate.storage.redis.RedisStore;
import io.polygate.testing.RedisServer;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The change feed over both stores: notices reach every node, key changes are seen however they were made. */
class ChangeFeedIT {

    @Test
    void memoryFeedDeliversNoticesAndKeyChanges() throws Exception {
        MemoryStore store = new MemoryStore();
        try (MemoryChangeFeed feed = new MemoryChangeFeed(store)) {
            BlockingQueue<String> notices = new LinkedBlockingQueue<>();
            BlockingQueue<String> keys = new LinkedBlockingQueue<>();
            feed.subscribe("reload", notices::add);
            feed.watchKeys("coprocess-data:", keys::add);
            feed.publish("reload", "bundle-a");
            store.set("coprocess-data:rate:foo", "15", null);
            store.set("other:key", "x", null);
            store.delete("coprocess-data:rate:foo");
            assertThat(notices.poll(2, TimeUnit.SECONDS)).isEqualTo("bundle-a");
            assertThat(keys.poll(2, TimeUnit.SECONDS)).isEqualTo("coprocess-data:rate:foo");
            assertThat(keys.poll(2, TimeUnit.SECONDS)).isEqualTo("coprocess-data:rate:foo");
            assertThat(keys.poll(200, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    @Test
    void redisFeedCarriesNoticesBetweenNodesAndSeesPlainRedisWrites() throws Exception {
        try (RedisServer redis = RedisServer.start();
             RedisStore nodeA = new RedisStore(URI.create(redis.uri()), false, Duration.ofSeconds(2));
             RedisStore nodeB = new RedisStore(URI.create(redis.uri()), false, Duration.ofSeconds(2));
             RedisChangeFeed feedA = new RedisChangeFeed(nodeA);
             RedisChangeFeed feedB = new RedisChangeFeed(nodeB)) {
            BlockingQueue<String> noticesB = new LinkedBlockingQueue<>();
            BlockingQueue<String> keysB = new LinkedBlockingQueue<>();
            feedB.subscribe("reload", noticesB::add);
            feedB.watchKeys("coprocess-data:", keysB::add);
            assertThat(feedB.seesExternalWrites()).isTrue();

            feedA.publish("reload", "bundle-a@v2");
            assertThat(noticesB.poll(2, TimeUnit.SECONDS)).isEqualTo("bundle-a@v2");

            redis.command("SET", "coprocess-data:rate:foo", "15");   // a plain write, not through the gateway
            assertThat(keysB.poll(2, TimeUnit.SECONDS)).isEqualTo("coprocess-data:rate:foo");
            nodeA.set("coprocess-data:rate:bar", "20", Duration.ofMillis(300));
            assertThat(keysB.poll(2, TimeUnit.SECONDS)).isEqualTo("coprocess-data:rate:bar");
            // Redis reports the write (and its expire) and then the expiry: each is a change of the key
            int changes = 1;
            for (String k; (k = keysB.poll(1, TimeUnit.SECONDS)) != null; changes++) assertThat(k).isEqualTo("coprocess-data:rate:bar");
            assertThat(nodeA.get("coprocess-data:rate:bar")).isNull();
            assertThat(changes).as("expiry is a change too").isGreaterThanOrEqualTo(2);
            redis.command("SET", "apikey-x", "{}");
            assertThat(keysB.poll(300, TimeUnit.MILLISECONDS)).isNull();
        }
    }
}
