package io.polygate.limit.redis;

import io.lettuce.core.api.sync.RedisScriptingCommands;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live gateway nodes, for the distributed rate limiter: every {@code interval} this node
 * beats ({@code ZADD polygate:drl:{nodes} now node}) and learns how many nodes beat within the
 * last three intervals, in one script. A node that stops (or loses Redis) drops out of the others'
 * count within three intervals; one that shuts down cleanly leaves at once. While Redis is
 * unreachable the last count is kept. Thread-safe.
 */
public final class DrlNodes implements IntSupplier, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DrlNodes.class);
    static final String KEY = RedisKeys.key("drl", "nodes");

    private final RedisScriptingCommands<String, String> redis;
    private final InstantSource clock;
    private final String node;
    private final long ttlMillis;
    private final RedisScript script = new RedisScript("RedisDrlHeartbeat");
    private final ScheduledExecutorService timer;
    private volatile int count = 1;
    private volatile boolean failing;
    private volatile boolean stopped;

    DrlNodes(RedisScriptingCommands<String, String> redis, InstantSource clock, String node, Duration interval) {
        this.redis = redis;
        this.clock = clock;
        this.node = node;
        this.ttlMillis = interval.toMillis() * 3;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "drl-heartbeat");
            t.setDaemon(true);
            return t;
        });
        beat(false);
        timer.scheduleWithFixedDelay(() -> beat(false), interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Live nodes, this one included (at least 1). */
    @Override public int getAsInt() { return count; }

    void beat(boolean leaving) {
        if (stopped && !leaving) return;
        try {
            List<Object> r = script.run(redis, new String[] {KEY}, Long.toString(clock.millis()), node,
                    Long.toString(ttlMillis), leaving ? "1" : "0");
            int n = (int) Math.max(1, RedisLimiter.asLong(r.get(0)));
            if (n != count) LOG.info("distributed rate limiter: {} live node(s), was {}", n, count);
            count = n;
            failing = false;
        } catch (RuntimeException e) { // StoreException and anything else: keep the last count
            if (!failing) LOG.warn("distributed rate limiter heartbeat failed ({}); keeping {} node(s)", e.getMessage(), count);
            failing = true;
        }
    }

    @Override
    public void close() {
        stopBeating();
        beat(true);
    }

    /** Stops the heartbeat without leaving: to the others this node looks dead (tests). */
    void stopBeating() {
        stopped = true;
        timer.shutdown();
        try {
            // a beat in flight must land before a goodbye, or it would add this node back
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
