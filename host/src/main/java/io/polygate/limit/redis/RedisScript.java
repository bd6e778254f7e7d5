package io.polygate.limit.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.api.sync.RedisScriptingCommands;
import io.polygate.storage.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * One Lua script, loaded from the class path resource {@code <name>.lua} next to this class. A call
 * is one round trip: {@code EVALSHA}, and only when Redis answers {@code NOSCRIPT} (a restarted or
 * flushed server) one {@code EVAL}, which caches the script again. {@link #run} waits for the
 * reply; {@link #runAsync} does not, and completes on Lettuce's I/O thread.
 */
final class RedisScript {
    private final String name;
    private final String body;
    private final String sha1;

    RedisScript(String name) {
        this.name = name;
        try (InputStream in = RedisScript.class.getResourceAsStream(name + ".lua")) {
            if (in == null) throw new IllegalStateException("missing script resource " + name + ".lua");
            this.body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            this.sha1 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(body.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs the script; any Redis failure becomes a {@link StoreException} naming the script. */
    List<Object> run(RedisScriptingCommands<String, String> redis, String[] keys, String... args) {
        try {
            try {
                return redis.evalsha(sha1, ScriptOutputType.MULTI, keys, args);
            } catch (RedisNoScriptException e) {
                return redis.eval(body, ScriptOutputType.MULTI, keys, args);
            }
        } catch (RuntimeException e) {
            throw failure(e);
        }
    }

    /** As {@link #run}, without waiting: a Redis failure completes the stage with a {@link StoreException}. */
    CompletionStage<List<Object>> runAsync(RedisScriptingAsyncCommands<String, String> redis, String[] keys, String... args) {
        try {
            return redis.<List<Object>>evalsha(sha1, ScriptOutputType.MULTI, keys, args)
                    .exceptionallyCompose(e -> cause(e) instanceof RedisNoScriptException
                            ? redis.<List<Object>>eval(body, ScriptOutputType.MULTI, keys, args)
                            : CompletableFuture.failedFuture(cause(e)))
                    .exceptionallyCompose(e -> CompletableFuture.failedFuture(failure(cause(e))));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(failure(e));
        }
    }

    private StoreException failure(Throwable e) {
        return e instanceof StoreException s ? s : new StoreException("redis: limiter script " + name + " failed: " + e.getMessage(), e);
    }

    private static Throwable cause(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
