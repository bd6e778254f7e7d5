package io.polygate.storage.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.metrics.MicrometerCommandLatencyRecorder;
import io.lettuce.core.metrics.MicrometerOptions;
import io.micrometer.core.instrument.MeterRegistry;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.api.sync.RedisKeyCommands;
import io.lettuce.core.api.sync.RedisStringCommands;
import io.lettuce.core.api.sync.RedisServerCommands;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.api.async.RedisStringAsyncCommands;
import io.lettuce.core.api.sync.RedisScriptingCommands;
import io.polygate.storage.RedisScripting;
import io.polygate.storage.Store;
import io.polygate.storage.StoreException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The shared store, through one multiplexed Lettuce connection (thread-safe; commands from many
 * request threads are pipelined on it). Standalone and Sentinel URIs use {@link RedisClient};
 * {@code cluster=true} uses {@link RedisClusterClient}. Every call is one round trip, bounded by
 * the command timeout; a failure becomes a {@link StoreException} naming the store.
 */
public final class RedisStore implements Store, RedisScripting {
    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> connection;
    private final RedisStringCommands<String, String> strings;
    private final RedisStringAsyncCommands<String, String> asyncStrings;
    private final RedisKeyCommands<String, String> keys;
    private final RedisServerCommands<String, String> server;
    private final RedisScriptingCommands<String, String> scripting;
    private final RedisScriptingAsyncCommands<String, String> asyncScripting;
    private final Supplier<String> pinger;
    private final String description;
    /**
     * Lettuce's event loops and its reconnect delay: doubling from 10 ms up to {@link #MAX_RECONNECT_DELAY}
     * (Lettuce's default grows to 30 s, so after an outage of a few seconds the gateway would wait
     * seconds more for its next attempt); its connections consolidate flushes ({@link ConsolidatedFlushes}).
     */
    private final ClientResources resources;
    static final Duration MAX_RECONNECT_DELAY = Duration.ofMillis(500);

    /** A store whose commands are not measured. */
    public RedisStore(URI uri, boolean cluster, Duration timeout) {
        this(uri, cluster, timeout, null);
    }

    /**
     * @param meters where command latencies ({@code lettuce_command_completion_seconds},
     *               {@code lettuce_command_firstresponse_seconds}, by command) and failures
     *               ({@link RedisCommandErrors}) are recorded; null: nowhere
     */
    public RedisStore(URI uri, boolean cluster, Duration timeout, MeterRegistry meters) {
        RedisURI redisUri = RedisURI.create(uri.toString());
        redisUri.setTimeout(timeout);
        this.description = "redis " + redactedUri(uri) + (cluster ? " (cluster)" : "");
        this.database = redisUri.getDatabase();
        this.redisUri = redisUri;
        DefaultClientResources.Builder resourcesBuilder = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
                .nettyCustomizer(new ConsolidatedFlushes());
        if (meters != null) resourcesBuilder.commandLatencyRecorder(new MicrometerCommandLatencyRecorder(meters, MicrometerOptions.create()));
        this.resources = resourcesBuilder.build();
        try {
            if (cluster) {
                RedisClusterClient c = RedisClusterClient.create(resources, redisUri);
                if (meters != null) c.addListener(new RedisCommandErrors(meters));
                StatefulRedisClusterConnection<String, String> conn = firstConnection(c::connect);
                conn.setTimeout(timeout);
                RedisAdvancedClusterCommands<String, String> cmd = conn.sync();
                this.client = c;
                this.connection = conn;
                this.strings = cmd;
                this.keys = cmd;
                this.server = cmd;
                this.scripting = cmd;
                this.asyncScripting = conn.async();
                this.asyncStrings = conn.async();
                this.pinger = cmd::ping;
            } else {
                RedisClient c = RedisClient.create(resources, redisUri);
                if (meters != null) c.addListener(new RedisCommandErrors(meters));
                StatefulRedisConnection<String, String> conn = firstConnection(c::connect);
                conn.setTimeout(timeout);
                RedisCommands<String, String> cmd = conn.sync();
                this.client = c;
                this.connection = conn;
                this.strings = cmd;
                this.keys = cmd;
                this.server = cmd;
                this.scripting = cmd;
                this.asyncScripting = conn.async();
                this.asyncStrings = conn.async();
                this.pinger = cmd::ping;
            }
        } catch (RuntimeException e) {
            resources.shutdown();
            throw new StoreException("cannot connect to " + description + ": " + e.getMessage(), e);
        }
    }

    /** How long the first connection is tried at start before the store counts as unreachable. */
    private static final long FIRST_CONNECTION_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(3);

    /**
     * Connects, trying again every 200 ms for up to 3 s: a JVM that is still starting (or a Redis
     * that is) can miss one short connect timeout; an unreachable Redis still fails the start
     * within seconds.
     */
    private static <T> T firstConnection(java.util.function.Supplier<T> connect) {
        long deadline = System.nanoTime() + FIRST_CONNECTION_NANOS;
        while (true) {
            try {
                return connect.get();
            } catch (io.lettuce.core.RedisConnectionException e) {
                if (System.nanoTime() - deadline >= 0) throw e;
                try {
                    Thread.sleep(200);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private int database;
    private RedisURI redisUri;

    /** The URI the store connected with. */
    public RedisURI redisUri() { return redisUri; }

    /** Publishes a pub/sub message (one round trip). */
    public void publish(String channel, String message) {
        call("PUBLISH", () -> connection instanceof StatefulRedisClusterConnection<String, String> c
                ? c.sync().publish(channel, message)
                : ((StatefulRedisConnection<String, String>) connection).sync().publish(channel, message));
    }

    /** The client, for other Redis users in the process (the change feed opens its pub/sub connection on it). */
    public AbstractRedisClient client() { return client; }

    /** The database number of the URI (keyspace notification channels name it). */
    public int database() { return database; }

    /** The connection, for the change feed in this package; other users go through {@link RedisScripting}. */
    StatefulConnection<String, String> connection() { return connection; }

    @Override
    public RedisScriptingCommands<String, String> scripting() { return scripting; }

    @Override
    public RedisScriptingAsyncCommands<String, String> asyncScripting() { return asyncScripting; }

    static String redactedUri(URI uri) {
        String s = uri.toString();
        return uri.getUserInfo() == null ? s : s.replace(uri.getRawUserInfo() + "@", "***@");
    }

    private <T> T call(String what, Supplier<T> op) {
        try {
            return op.get();
        } catch (RuntimeException e) {
            throw failure(what, e);
        }
    }

    private StoreException failure(String what, Throwable e) {
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        return new StoreException(description + ": " + what + " failed: " + cause.getMessage(), cause);
    }

    @Override
    public String get(String key) { return call("GET", () -> strings.get(key)); }

    /** Completes on Lettuce's I/O thread; bounded by the command timeout as {@link #get} is. */
    @Override
    public CompletionStage<String> getAsync(String key) {
        try {
            return asyncStrings.get(key).exceptionallyCompose(e -> CompletableFuture.failedFuture(failure("GET", e)));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(failure("GET", e));
        }
    }

    @Override
    public void set(String key, String value, Duration ttl) {
        call("SET", () -> ttl == null || ttl.isZero() || ttl.isNegative()
                ? strings.set(key, value)
                : strings.set(key, value, SetArgs.Builder.px(ttl.toMillis())));
    }

    @Override
    public boolean setIfAbsent(String key, String value, Duration ttl) {
        SetArgs args = SetArgs.Builder.nx();
        if (ttl != null && !ttl.isZero() && !ttl.isNegative()) args = args.px(ttl.toMillis());
        SetArgs finalArgs = args;
        return "OK".equals(call("SET NX", () -> strings.set(key, value, finalArgs)));
    }

    @Override
    public boolean delete(String key) { return call("DEL", () -> keys.del(key)) > 0; }

    @Override
    public List<String> keys(String prefix) {
        return call("SCAN", () -> {
            List<String> out = new ArrayList<>();
            ScanArgs args = ScanArgs.Builder.matches(globEscape(prefix) + "*").limit(500);
            KeyScanCursor<String> cursor = keys.scan(args);
            while (true) {
                out.addAll(cursor.getKeys());
                if (cursor.isFinished()) break;
                cursor = keys.scan(ScanCursor.of(cursor.getCursor()), args);
            }
            return out;
        });
    }

    static String globEscape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 4);
        for (char c : s.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') b.append('\\');
            b.append(c);
        }
        return b.toString();
    }

    @Override public String describe() { return description; }

    @Override
    public boolean ping() {
        try {
            return "PONG".equals(pinger.get());
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
