package io.polygate.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.config.Algorithm;
import io.polygate.limit.redis.RedisLimiters;
import io.polygate.storage.redis.RedisStore;
import io.polygate.testing.RedisServer;
import java.net.URI;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The limiter contract for the Redis limiters, against a real redis-server, plus what only Redis has. */
class RedisLimiterContractIT extends RateLimiterContract {
    static RedisServer redis;
    static RedisStore store;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
        store = new RedisStore(URI.create(redis.uri()), false, Duration.ofSeconds(2));
    }

    @AfterAll
    static void stopRedis() {
        if (store != null) store.close();
        if (redis != null) redis.close();
    }

    @Override
    protected RateLimiter limiter(Algorithm algorithm, boolean countRejected) {
        return new RedisLimiters(store, clock).create(algorithm, countRejected);
    }

    static long calls(String command) throws Exception {
        Matcher m = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(redis.command("INFO", "commandstats"));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void everyCheckIsOneEvalshaRoundTrip(Algorithm a) throws Exception {
        RateLimiter l = limiter(a);
        String k = key("trips");
        l.tryAcquire(k, 5, 10, 1); // loads the script if this server has not seen it
        long evalsha = calls("evalsha"), eval = calls("eval");
        for (int i = 0; i < 20; i++) l.tryAcquire(k, 5, 10, 1);
        assertThat(calls("evalsha") - evalsha).isEqualTo(20);
        assertThat(calls("eval") - eval).isZero();
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void keysCarryTheCounterAsAClusterHashTag(Algorithm a) throws Exception {
        redis.flushAll();
        RateLimiter l = limiter(a);
        l.tryAcquire("user{1}%x", 5, 10, 1);
        l.tryAcquire("user{1}%x", 5, 10, 9); // the sentinel sets its block key on a denial
        String keys = redis.command("KEYS", "*");
        assertThat(keys).contains("polygate:rl:{user%7B1%7D%25x}:");
        for (String line : keys.split("\r\n")) {
            if (line.startsWith("*") || line.startsWith("$")) continue;
            assertThat(line).startsWith("polygate:rl:{user%7B1%7D%25x}:");
        }
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void survivesAScriptFlush(Algorithm a) throws Exception {
        RateLimiter l = limiter(a);
        String k = key("flush");
        l.tryAcquire(k, 5, 10, 1);
        redis.command("SCRIPT", "FLUSH");
        assertThat(admitted(l, k, 5, 10, 6)).isEqualTo(4);
    }

    @Test
    void requestsInTheSameMillisecondAreDistinctLogEntries() throws Exception {
        redis.flushAll();
        RateLimiter l = limiter(Algorithm.SLIDING_LOG);
        assertThat(admitted(l, "same-ms", 50, 10, 7)).isEqualTo(7);
        assertThat(redis.command("ZCARD", "polygate:rl:{same-ms}:log")).isEqualTo(":7\r\n");
    }

    @Test
    void twoLimiterInstancesShareOneCounter() {
        RateLimiter a = limiter(Algorithm.SLIDING_LOG), b = limiter(Algorithm.SLIDING_LOG);
        String k = key("shared");
        assertThat(admitted(a, k, 6, 10, 4) + admitted(b, k, 6, 10, 4)).isEqualTo(6);
    }
}
