package io.polygate.storage;

import io.lettuce.core.ScriptOutputType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway nodes sharing one store, one registry for all that needs them (the distributed rate
 * limiter's share of a rate, the nodes' bundle statuses): this node's id, made once per process
 * (host name and a random suffix, {@code vm-7733d2}), and the live nodes.
 *
 * <p>With a Redis store every node beats every {@code interval} into the sorted set {@value #KEY}
 * (member: node id, score: the time of its last beat in ms), in one script that also drops the
 * nodes silent for three intervals and returns the live ones. A node that stops (or loses Redis)
 * drops out of the others' lists within three intervals; one that closes leaves at once. While
 * Redis is unreachable the last list is kept. With any other store this node is alone.
 *
 * <p>Threading: thread-safe. {@link #live} never blocks; {@link #liveNow} waits for one round trip.
 */
public final class Nodes implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Nodes.class);
    /** The Redis sorted set of live nodes (one key, so legal on Redis Cluster). */
    public static final String KEY = "polygate:nodes";

    private final String self = newId();
    private final RedisScripting redis;
    private final String description;
    private final long ttlMillis;
    private final String script;
    private final ScheduledExecutorService timer;
    private volatile List<String> live = List.of(self);
    private boolean failing; // guarded by this
    private boolean left; // guarded by this

    private Nodes(RedisScripting redis, String description, Duration interval) {
        this.redis = redis;
        this.description = description;
        this.ttlMillis = interval.toMillis() * 3;
        if (redis == null) {
            this.script = null;
            this.timer = null;
            return;
        }
        this.script = heartbeatScript();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "node-heartbeat");
            t.setDaemon(true);
            return t;
        });
        beatQuietly();
        timer.scheduleWithFixedDelay(this::beatQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The registry over {@code store}: shared through it when it is a Redis store (this node then
     * beats every {@code interval} until {@link #close}), else this node alone.
     */
    public static Nodes open(Store store, Duration interval) {
        return new Nodes(store instanceof RedisScripting r ? r : null, store == null ? null : store.describe(), interval);
    }

    /** This node's id. */
    public String self() { return self; }

    /** Whether other nodes may share the registry (a Redis store). */
    private boolean shared() { return redis != null; }

    /** The live node ids as of the last heartbeat, sorted, this node included. */
    public List<String> live() { return live; }

    /** How many nodes are live as of the last heartbeat (at least 1). */
    public int count() { return live.size(); }

    /**
     * Beats now and returns the live node ids, sorted, this node included.
     *
     * @throws StoreException when Redis cannot be reached (the last list is kept)
     */
    public List<String> liveNow() { return shared() ? beat(false) : live; }

    private void beatQuietly() {
        try {
            beat(false);
        } catch (StoreException e) {
            synchronized (this) {
                if (!failing) LOG.warn("node heartbeat failed ({}); keeping {} live node(s)", e.getMessage(), live.size());
                failing = true;
            }
        }
    }

    private synchronized List<String> beat(boolean leaving) {
        if (left) return live;
        left = leaving; // a failed goodbye leaves too: no beat may add this node back
        List<Object> reply;
        try {
            reply = redis.scripting().eval(script, ScriptOutputType.MULTI, new String[] {KEY},
                    Long.toString(System.currentTimeMillis()), self, Long.toString(ttlMillis), leaving ? "1" : "0");
        } catch (RuntimeException e) {
            throw e instanceof StoreException s ? s : new StoreException(description + ": node heartbeat failed: " + e.getMessage(), e);
        }
        failing = false;
        if (leaving) return live;
        List<String> nodes = new ArrayList<>();
        for (Object node : reply) nodes.add(String.valueOf(node));
        if (!nodes.contains(self)) nodes.add(self);
        nodes.sort(null);
        if (!nodes.equals(live)) LOG.info("{} live node(s): {}", nodes.size(), nodes);
        live = List.copyOf(nodes);
        return live;
    }

    private static String heartbeatScript() {
        try (InputStream in = Nodes.class.getResourceAsStream("NodeHeartbeat.lua")) {
            if (in == null) throw new IllegalStateException("missing script resource NodeHeartbeat.lua");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A name unique to this process: host name and a random suffix. */
    private static String newId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "node";
        }
        return host.replaceAll("[^A-Za-z0-9.-]", "") + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    /** Stops the heartbeat and leaves the registry at once, so the others stop counting this node. */
    @Override
    public void close() {
        if (!shared()) return;
        timer.shutdown();
        try {
            beat(true);
        } catch (StoreException e) {
            LOG.debug("leaving the node registry: {}", e.toString());
        }
    }
}
