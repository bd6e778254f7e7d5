package io.polygate.bench;

import io.polygate.config.Algorithm;
import io.polygate.limit.Decision;
import io.polygate.limit.RateLimiter;
import io.polygate.limit.local.LocalLimiters;
import io.polygate.limit.redis.RedisLimiters;
import io.polygate.storage.redis.RedisStore;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One limiter check per algorithm and store, on 1024 rotating keys with a limit never reached (so
 * every check does the full admit path) over a 1 s window: the sliding logs hold every request of
 * the last second, as they must. The Redis store is the URI in {@code -Dredis=...}
 * (bench/jmh.sh starts a redis-server for it).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LimiterBenchmark {
    @Param({"TOKEN_BUCKET", "SLIDING_LOG", "FIXED_WINDOW", "SLIDING_WINDOW", "SENTINEL"})
    public String algorithm;

    @Param({"memory", "redis"})
    public String store;

    private RateLimiter limiter;
    private RedisStore redis;
    private final String[] keys = new String[1024];
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        for (int i = 0; i < keys.length; i++) keys[i] = "bench:" + i;
        Algorithm a = Algorithm.valueOf(algorithm);
        if (store.equals("memory")) {
            limiter = new LocalLimiters(InstantSource.system()).create(a, false);
        } else {
            redis = new RedisStore(URI.create(System.getProperty("redis", "redis://127.0.0.1:6379")), false, Duration.ofSeconds(10));
            limiter = new RedisLimiters(redis, InstantSource.system()).create(a, false);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (redis != null) redis.close();
    }

    @Benchmark
    public Decision check() {
        return limiter.tryAcquire(keys[next++ & 1023], 1e9, 1, 1);
    }
}
