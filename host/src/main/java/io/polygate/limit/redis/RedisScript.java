package io.polygate.limit.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
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

/**
 * One Lua script, loaded from the class path resource {@code <name>.lua} next to this class. A call
 * is one round trip: {@code EVALSHA}, and only when Redis answers {@code NOSCRIPT} (a restarted or
 * flushed server) one {@code EVAL}, which caches the script again.
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
            throw new StoreException("redis: limiter script " + name + " failed: " + e.getMessage(), e);
        }
    }
}
