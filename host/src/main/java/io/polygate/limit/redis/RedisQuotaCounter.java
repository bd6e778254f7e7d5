package io.polygate.limit.redis;

import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.api.sync.RedisScriptingCommands;
import io.polygate.limit.QuotaCounter;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** Quotas in Redis: one hash per counter ({@code polygate:rl:{quota:...}:q}), one script per check. */
public final class RedisQuotaCounter implements QuotaCounter {
    private final RedisScriptingCommands<String, String> redis;
    private final RedisScriptingAsyncCommands<String, String> async;
    private final InstantSource clock;
    private final RedisScript script = new RedisScript("RedisQuotaCounter");
    private final RedisScript peekScript = new RedisScript("RedisQuotaPeek");

    RedisQuotaCounter(RedisScriptingCommands<String, String> redis, RedisScriptingAsyncCommands<String, String> async, InstantSource clock) {
        this.redis = redis;
        this.async = async;
        this.clock = clock;
    }

    @Override
    public Result peek(String counterId, long max) {
        List<Object> r = peekScript.run(redis, new String[] {RedisKeys.key(counterId, "q")});
        if (r == null || r.size() < 2 || r.get(0) == null || r.get(1) == null) return null;
        long used = RedisLimiter.asLong(r.get(0));
        long renews = RedisLimiter.asLong(r.get(1));
        if (renews != 0 && clock.millis() >= renews) return new Result(true, max, max, renews);
        return new Result(used < max, max, Math.max(0, max - used), renews);
    }

    @Override
    public Result consume(String counterId, long max, long usedAtStart, long renewalSeconds, long permits) {
        return result(script.run(redis, keys(counterId), args(max, usedAtStart, renewalSeconds, permits)), max);
    }

    @Override
    public CompletionStage<Result> consumeAsync(String counterId, long max, long usedAtStart, long renewalSeconds, long permits) {
        return script.runAsync(async, keys(counterId), args(max, usedAtStart, renewalSeconds, permits)).thenApply(r -> result(r, max));
    }

    private static String[] keys(String counterId) {
        return new String[] {RedisKeys.key(counterId, "q")};
    }

    private String[] args(long max, long usedAtStart, long renewalSeconds, long permits) {
        return new String[] {Long.toString(max), Long.toString(usedAtStart), Long.toString(renewalSeconds * 1000),
                Long.toString(permits), Long.toString(clock.millis())};
    }

    private static Result result(List<Object> r, long max) {
        long used = RedisLimiter.asLong(r.get(1));
        return new Result(RedisLimiter.asLong(r.get(0)) == 1, max, Math.max(0, max - used), RedisLimiter.asLong(r.get(2)));
    }
}
