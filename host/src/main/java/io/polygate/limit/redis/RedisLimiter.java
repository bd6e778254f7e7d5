package io.polygate.limit.redis;

import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.api.sync.RedisScriptingCommands;
import io.polygate.config.Algorithm;
import io.polygate.limit.Decision;
import io.polygate.limit.RateLimiter;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The Redis limiters: each check is one Lua script run ({@link RedisScript}), keyed
 * {@code polygate:rl:{counter}:<algorithm>...} ({@link RedisKeys}). Time comes from the injected
 * clock, not Redis {@code TIME}, so that the contract tests can drive it; nodes sharing a Redis
 * must keep their clocks in sync (NTP), as with Tyk and Kong. {@link #tryAcquireAsync} sends the
 * same script without waiting and completes on Lettuce's I/O thread.
 */
public abstract sealed class RedisLimiter implements RateLimiter
        permits RedisLimiter.SlidingLog, RedisLimiter.Sentinel, RedisLimiter.FixedWindow,
                RedisLimiter.SlidingWindowCounter, RedisLimiter.TokenBucket {

    private final RedisScriptingCommands<String, String> redis;
    private final RedisScriptingAsyncCommands<String, String> async;
    final InstantSource clock;
    private final RedisScript script;

    RedisLimiter(RedisScriptingCommands<String, String> redis, RedisScriptingAsyncCommands<String, String> async,
                 InstantSource clock, String scriptName) {
        this.redis = redis;
        this.async = async;
        this.clock = clock;
        this.script = new RedisScript(scriptName);
    }

    /** One check: the script's keys and arguments, and how its reply becomes a decision. */
    record Check(String[] keys, String[] args, Function<List<Object>, Decision> decision) {}

    abstract Check check(String key, double rate, double perSeconds, long permits);

    @Override
    public final Decision tryAcquire(String key, double rate, double perSeconds, long permits) {
        Check c = check(key, rate, perSeconds, permits);
        return c.decision().apply(script.run(redis, c.keys(), c.args()));
    }

    @Override
    public final CompletionStage<Decision> tryAcquireAsync(String key, double rate, double perSeconds, long permits) {
        Check c = check(key, rate, perSeconds, permits);
        return script.runAsync(async, c.keys(), c.args()).thenApply(c.decision());
    }

    static long asLong(Object o) {
        if (o instanceof Long l) return l;
        if (o instanceof String s) return (long) Double.parseDouble(s);
        throw new IllegalStateException("unexpected script result " + o);
    }

    /** Sorted-set log of request times; members are unique per request. */
    public static final class SlidingLog extends RedisLimiter {
        private final boolean countRejected;
        private final RequestIds ids;

        SlidingLog(RedisScriptingCommands<String, String> redis, RedisScriptingAsyncCommands<String, String> async,
                   InstantSource clock, boolean countRejected, RequestIds ids) {
            super(redis, async, clock, "RedisSlidingLog");
            this.countRejected = countRejected;
            this.ids = ids;
        }

        @Override public Algorithm algorithm() { return Algorithm.SLIDING_LOG; }

        @Override
        Check check(String key, double rate, double perSeconds, long permits) {
            long limit = RateLimiter.windowLimit(rate);
            return new Check(new String[] {RedisKeys.key(key, "log")},
                    new String[] {Long.toString(clock.millis()), Long.toString(RateLimiter.windowMillis(perSeconds)),
                            Long.toString(limit), Long.toString(permits), ids.next(), countRejected ? "1" : "0"},
                    r -> logDecision(r, limit));
        }
    }

    static Decision logDecision(List<Object> r, long limit) {
        Duration reset = Duration.ofMillis(Math.max(0, asLong(r.get(2))));
        if (asLong(r.get(0)) == 1) return Decision.allowed(limit, asLong(r.get(1)), reset);
        return Decision.denied(limit, reset, Duration.ofMillis(Math.max(1, asLong(r.get(3)))));
    }

    /** The sliding log with a block key set for {@code per} on the first denial. */
    public static final class Sentinel extends RedisLimiter {
        private final RequestIds ids;

        Sentinel(RedisScriptingCommands<String, String> redis, RedisScriptingAsyncCommands<String, String> async,
                 InstantSource clock, RequestIds ids) {
            super(redis, async, clock, "RedisSentinelLog");
            this.ids = ids;
        }

        @Override public Algorithm algorithm() { return Algorithm.SENTINEL; }

        @Override
        Check check(String key, double rate, double perSeconds, long permits) {
            long limit = RateLimiter.windowLimit(rate);
            return new Check(new String[] {RedisKeys.key(key, "sentinel"), RedisKeys.key(key, "block")},
                    new String[] {Long.toString(clock.millis()), Long.toString(RateLimiter.windowMillis(perSeconds)),
                            Long.toString(limit), Long.toString(permits), ids.next()},
                    r -> logDecision(r, limit));
        }
    }

    /** One counter per aligned window ({@code floor(now / per)}), expiring with the window. */
    public static final class FixedWindow extends RedisLimiter {
        FixedWindow(RedisScriptingCommands<String, String> redis, RedisScriptingAsyncCommands<String, String> async,
                    InstantSource clock) {
            super(redis, async, clock, "RedisFixedWindow");
        }

        @Override public Algorithm algorithm() { return Algorithm.FIXED_WINDOW; }

        @Override
        Check check(String key, double rate, double perSeconds, long permits) {
            long now = clock.millis();
            long limit = RateLimiter.windowLimit(rate);
            long window = RateLimiter.windowMillis(perSeconds);
            long index = Math.floorDiv(now, window);
            long toEnd = (index + 1) * window - now;
            Duration reset = Duration.ofMillis(toEnd);
            return new Check(new String[] {RedisKeys.key(key, "fw:" + window + ":" + index)},
                    new String[] {Long.toString(limit), Long.toString(permits), Long.toString(toEnd + 1000)},
                    r -> asLong(r.get(0)) == 1 ? Decision.allowed(limit, limit - asLong(r.get(1)), reset)
                            : Decision.denied(limit, reset, reset));
        }
    }

    /** Kong's sliding window: the current and the previous window's counters. */
    public static final class SlidingWindowCounter extends RedisLimiter {
        SlidingWindowCounter(RedisScriptingCommands<String, String> redis, RedisScriptingAsyncCommands<String, String> async,
                             InstantSource clock) {
            super(redis, async, clock, "RedisSlidingWindowCounter");
        }

        @Override public Algorithm algorithm() { return Algorithm.SLIDING_WINDOW; }

        @Override
        Check check(String key, double rate, double perSeconds, long permits) {
            long now = clock.millis();
            long limit = RateLimiter.windowLimit(rate);
            long window = RateLimiter.windowMillis(perSeconds);
            long index = Math.floorDiv(now, window);
            long elapsed = now - index * window;
            String prefix = "sw:" + window + ":";
            return new Check(new String[] {RedisKeys.key(key, prefix + index), RedisKeys.key(key, prefix + (index - 1))},
                    new String[] {Long.toString(limit), Long.toString(window), Long.toString(elapsed), Long.toString(permits)},
                    r -> io.polygate.limit.SlidingWindowMath.decision(asLong(r.get(0)) == 1, limit, window, elapsed,
                            asLong(r.get(1)), asLong(r.get(2)), permits));
        }
    }

    /** An exact shared token bucket (one hash per key). */
    public static final class TokenBucket extends RedisLimiter {
        TokenBucket(RedisScriptingCommands<String, String> redis, RedisScriptingAsyncCommands<String, String> async,
                    InstantSource clock) {
            super(redis, async, clock, "RedisTokenBucket");
        }

        @Override public Algorithm algorithm() { return Algorithm.TOKEN_BUCKET; }

        @Override
        Check check(String key, double rate, double perSeconds, long permits) {
            double perMillis = perSeconds * 1000;
            return new Check(new String[] {RedisKeys.key(key, "tb")},
                    new String[] {Double.toString(rate), Double.toString(perMillis), Long.toString(clock.millis()), Long.toString(permits)},
                    r -> {
                        double tokens = Double.parseDouble((String) r.get(1));
                        double msPerToken = perMillis / rate;
                        long limit = (long) Math.ceil(rate);
                        Duration reset = Duration.ofMillis((long) Math.ceil((rate - tokens) * msPerToken - 1e-6));
                        if (asLong(r.get(0)) == 1) return Decision.allowed(limit, (long) Math.floor(tokens + 1e-9), reset);
                        return Decision.denied(limit, reset, Duration.ofMillis(Math.max(1, (long) Math.ceil((permits - tokens) * msPerToken - 1e-6))));
                    });
        }
    }
}
