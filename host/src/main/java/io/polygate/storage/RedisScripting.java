package io.polygate.storage;

import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.api.sync.RedisScriptingCommands;

/**
 * The port the shared rate limiters and the node registry ({@link Nodes}) use: Lua scripting on a Redis-backed store's one multiplexed
 * connection (standalone, Sentinel or Cluster alike), waiting for replies or not. A store that can
 * run scripts implements it ({@code storage.redis.RedisStore}); limiters find it with
 * {@code store instanceof RedisScripting}.
 */
public interface RedisScripting {
    RedisScriptingCommands<String, String> scripting();

    RedisScriptingAsyncCommands<String, String> asyncScripting();
}
