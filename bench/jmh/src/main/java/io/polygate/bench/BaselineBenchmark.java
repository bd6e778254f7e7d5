package io.polygate.bench;

import io.polygate.storage.redis.RedisStore;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The baselines the limiter figures are divided by, measured in the same run: an in-memory
 * limiter against a concurrent map lookup and update on the same 1024 keys, a Redis limiter
 * against one plain {@code GET} round trip over the same Lettuce connection.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BaselineBenchmark {
    private final ConcurrentHashMap<String, long[]> map = new ConcurrentHashMap<>();
    private final String[] keys = new String[1024];
    private int next;
    private RedisStore redis;

    @Setup(Level.Trial)
    public void setUp() {
        for (int i = 0; i < keys.length; i++) keys[i] = "bench:" + i;
        redis = new RedisStore(URI.create(System.getProperty("redis", "redis://127.0.0.1:6379")), false, Duration.ofSeconds(10));
    }

    @TearDown(Level.Trial)
    public void tearDown() { redis.close(); }

    @Benchmark
    public long mapUpdate() {
        long[] c = map.computeIfAbsent(keys[next++ & 1023], k -> new long[1]);
        synchronized (c) {
            return ++c[0];
        }
    }

    @Benchmark
    public String redisGet() {
        return redis.get(keys[next++ & 1023]);
    }
}
