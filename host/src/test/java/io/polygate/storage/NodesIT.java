package io.polygate.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polygate.storage.memory.MemoryStore;
import io.polygate.storage.redis.RedisStore;
import io.polygate.testing.RedisServer;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The node registry over a real redis-server (each node on its own connection) and over the in-memory store. */
class NodesIT {
    static final Duration BEAT = Duration.ofMillis(250); // a silent node drops out after 750 ms

    static RedisStore connect(RedisServer redis) {
        return new RedisStore(URI.create(redis.uri()), false, Duration.ofSeconds(2));
    }

    /** The members of the registry's sorted set, as Redis holds them. */
    static List<String> stored(RedisServer redis) throws IOException {
        List<String> members = new ArrayList<>();
        String[] lines = redis.command("ZRANGE", Nodes.KEY, "0", "-1").split("\r\n");
        for (int i = 1; i + 1 < lines.length; i += 2) members.add(lines[i + 1]);
        members.sort(null);
        return members;
    }

    static void await(Supplier<List<String>> live, List<String> expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5_000;
        while (!live.get().equals(expected) && System.currentTimeMillis() < deadline) Thread.sleep(20);
        assertThat(live.get()).isEqualTo(expected);
    }

    @Test
    void nodesOnOneRedisSeeTheSameSetUnderTheIdsTheyGiveThemselves() throws Exception {
        try (RedisServer redis = RedisServer.start(); RedisStore storeA = connect(redis); RedisStore storeB = connect(redis);
             Nodes a = Nodes.open(storeA, BEAT); Nodes b = Nodes.open(storeB, BEAT)) {
            assertThat(a.self()).as("host name and a random suffix").matches("[A-Za-z0-9.-]*-[0-9a-f]{6}").isNotEqualTo(b.self());
            List<String> both = new ArrayList<>(List.of(a.self(), b.self()));
            both.sort(null);
            assertThat(b.live()).as("b's first beat found a").isEqualTo(both);
            await(a::live, both);
            assertThat(a.count()).isEqualTo(2);
            assertThat(stored(redis)).isEqualTo(both);
        }
    }

    @Test
    void aSilentNodeDropsOutWithinThreeBeatsAndAClosedOneLeavesAtOnce() throws Exception {
        try (RedisServer redis = RedisServer.start(); RedisStore storeA = connect(redis); RedisStore storeB = connect(redis);
             Nodes a = Nodes.open(storeA, BEAT)) {
            // a crash: a node that beat once, now, and never again
            long lastBeat = System.currentTimeMillis();
            redis.command("ZADD", Nodes.KEY, Long.toString(lastBeat), "crashed-1a2b3c");
            assertThat(a.liveNow()).containsExactlyInAnyOrder(a.self(), "crashed-1a2b3c");
            await(a::live, List.of(a.self()));
            assertThat(System.currentTimeMillis() - lastBeat).as("dropped out within three beats and a bit").isLessThan(2_500);

            Nodes b = Nodes.open(storeB, BEAT);
            assertThat(a.liveNow()).hasSize(2);
            b.close();
            assertThat(stored(redis)).containsExactly(a.self());
            assertThat(a.liveNow()).containsExactly(a.self());
        }
    }

    @Test
    void whileRedisIsUnreachableTheLastListIsKept() throws Exception {
        RedisServer redis = RedisServer.start();
        try (RedisStore storeA = connect(redis); RedisStore storeB = connect(redis);
             Nodes a = Nodes.open(storeA, BEAT); Nodes b = Nodes.open(storeB, BEAT)) {
            await(a::live, b.live());
            List<String> before = a.live();
            redis.close();
            assertThatThrownBy(a::liveNow).isInstanceOf(StoreException.class).hasMessageContaining("node heartbeat failed");
            Thread.sleep(4 * BEAT.toMillis());
            assertThat(a.live()).isEqualTo(before);
        } finally {
            redis.close();
        }
    }

    @Test
    void withoutRedisThisNodeIsAlone() {
        try (MemoryStore store = new MemoryStore(); Nodes nodes = Nodes.open(store, BEAT)) {
            assertThat(nodes.live()).containsExactly(nodes.self());
            assertThat(nodes.liveNow()).containsExactly(nodes.self());
            assertThat(nodes.count()).isEqualTo(1);
        }
    }
}
