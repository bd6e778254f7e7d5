package io.polygate.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.config.Algorithm;
import io.polygate.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The {@link RateLimiter} contract, run against every algorithm of one store: in-memory in
 * {@code LocalLimiterContractTest}, Redis in {@code RedisLimiterContractIT} (after Bucket4j's
 * {@code AbstractDistributedBucketTest}). Time is a manual clock in both: the Redis scripts take
 * the time as an argument.
 */
abstract class RateLimiterContract {
    /** 1 ms past an aligned 10 s window start, so window algorithms start a fresh window. */
    static final Instant START = Instant.parse("2030-01-01T00:00:00.001Z");

    protected final ManualClock clock = new ManualClock(START);

    protected abstract RateLimiter limiter(Algorithm algorithm, boolean countRejected);

    protected RateLimiter limiter(Algorithm algorithm) { return limiter(algorithm, false); }

    /** A key unique to the running test, so stores shared between tests never mix. */
    protected String key(String name) { return getClass().getSimpleName() + ":" + name + ":" + System.nanoTime(); }

    static int admitted(RateLimiter l, String key, double rate, double per, int attempts) {
        int n = 0;
        for (int i = 0; i < attempts; i++) if (l.tryAcquire(key, rate, per, 1).allowed()) n++;
        return n;
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void allowsRateThenDeniesTheNext(Algorithm a) {
        RateLimiter l = limiter(a);
        String k = key("burst");
        for (int i = 1; i <= 5; i++) {
            Decision d = l.tryAcquire(k, 5, 10, 1);
            assertThat(d.allowed()).as("request %d", i).isTrue();
            assertThat(d.limit()).isEqualTo(5);
            assertThat(d.remaining()).as("remaining after request %d", i).isEqualTo(5 - i);
            assertThat(d.retryAfter()).isEqualTo(Duration.ZERO);
            assertThat(d.resetAfter()).as("time until the allowance is whole again").isPositive().isLessThanOrEqualTo(Duration.ofSeconds(20));
        }
        Decision denied = l.tryAcquire(k, 5, 10, 1);
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.remaining()).isZero();
        // the sliding window counter may need part of the next window: up to 2 x per
        assertThat(denied.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(a == Algorithm.SLIDING_WINDOW ? 20 : 10));
        assertThat(denied.resetAfter()).isPositive();
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void retryAfterIsExact(Algorithm a) {
        RateLimiter l = limiter(a);
        String k = key("retry");
        clock.advanceMillis(3_000);
        assertThat(admitted(l, k, 5, 10, 5)).isEqualTo(5);
        clock.advanceMillis(1_000);
        Decision denied = l.tryAcquire(k, 5, 10, 1);
        assertThat(denied.allowed()).isFalse();
        clock.advance(denied.retryAfter().minusMillis(1));
        assertThat(l.tryAcquire(k, 5, 10, 1).allowed()).as("1 ms before retryAfter %s", denied.retryAfter()).isFalse();
        // the sentinel re-blocks on that early attempt: its retry starts again
        if (a == Algorithm.SENTINEL) clock.advance(Duration.ofSeconds(10));
        clock.advanceMillis(1);
        assertThat(l.tryAcquire(k, 5, 10, 1).allowed()).as("at retryAfter %s", denied.retryAfter()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void keysAreIndependent(Algorithm a) {
        RateLimiter l = limiter(a);
        String k1 = key("one"), k2 = key("two");
        assertThat(admitted(l, k1, 3, 10, 5)).isEqualTo(3);
        assertThat(admitted(l, k2, 3, 10, 5)).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void fullAllowanceIsBackAfterTwoWindows(Algorithm a) {
        RateLimiter l = limiter(a);
        String k = key("idle");
        assertThat(admitted(l, k, 4, 10, 6)).isEqualTo(4);
        clock.advance(Duration.ofSeconds(20));
        assertThat(admitted(l, k, 4, 10, 6)).isEqualTo(4);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void concurrentChecksNeverAdmitMoreThanTheLimit(Algorithm a) throws Exception {
        RateLimiter l = limiter(a);
        String k = key("race");
        AtomicInteger allowed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Void>> jobs = new ArrayList<>();
            for (int t = 0; t < 8; t++) jobs.add(() -> {
                for (int i = 0; i < 40; i++) if (l.tryAcquire(k, 100, 60, 1).allowed()) allowed.incrementAndGet();
                return null;
            });
            for (Future<Void> f : pool.invokeAll(jobs)) f.get();
        } finally {
            pool.shutdown();
        }
        assertThat(allowed.get()).isEqualTo(100);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aLoweredLimitAppliesAtOnce(Algorithm a) {
        RateLimiter l = limiter(a);
        String k = key("change");
        assertThat(admitted(l, k, 10, 10, 5)).isEqualTo(5);
        // what was consumed carries over (issue 5, live limits): 5 of the new 6 are used, in every algorithm
        assertThat(admitted(l, k, 6, 10, 10)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aRaisedLimitAppliesAtOnceAndKeepsWhatWasConsumed(Algorithm a) {
        RateLimiter l = limiter(a);
        String k = key("raise");
        assertThat(admitted(l, k, 10, 60, 4)).isEqualTo(4);
        // the forum scenario: 4 used at 10 per 60 s, then 15: 11 more, 15 in the window in all
        assertThat(admitted(l, k, 15, 60, 20)).isEqualTo(11);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void severalPermitsAtOnce(Algorithm a) {
        RateLimiter l = limiter(a);
        String k = key("permits");
        assertThat(l.tryAcquire(k, 10, 10, 7).allowed()).isTrue();
        Decision d = l.tryAcquire(k, 10, 10, 4);
        assertThat(d.allowed()).isFalse();
        assertThat(l.tryAcquire(k, 10, 10, 3).remaining()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aHugeLimitCostsNothingUntilUsed(Algorithm a) {
        RateLimiter l = limiter(a);
        for (int i = 0; i < 50; i++) {
            Decision d = l.tryAcquire(key("huge") + i, 2e9, 1, 1);
            assertThat(d.allowed()).isTrue();
            assertThat(d.remaining()).isEqualTo(1_999_999_999L);
        }
    }

    // --- what sets the algorithms apart ---

    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = "FIXED_WINDOW")
    void fixedWindowStartsAfreshAtTheBoundary(Algorithm a) {
        RateLimiter l = limiter(a);
        String k = key("boundary");
        clock.advanceMillis(9_900);
        assertThat(admitted(l, k, 5, 10, 8)).isEqualTo(5);
        clock.advanceMillis(200); // next aligned window
        assertThat(admitted(l, k, 5, 10, 8)).isEqualTo(5);
    }

    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = {"SLIDING_LOG", "SENTINEL"})
    void aLogIsWholeAgainOneWindowAfterItsNewestRequest(Algorithm a) {
        RateLimiter l = limiter(a);
        String k = key("whole");
        l.tryAcquire(k, 5, 10, 1);
        clock.advanceMillis(4_000);
        assertThat(l.tryAcquire(k, 5, 10, 1).resetAfter()).isEqualTo(Duration.ofSeconds(10));
        clock.advanceMillis(10_000);
        assertThat(l.tryAcquire(k, 5, 10, 1).remaining()).isEqualTo(4);
    }

    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = {"SLIDING_LOG", "SENTINEL"})
    void logsAllowNoBurstAcrossTheBoundary(Algorithm a) {
        RateLimiter l = limiter(a);
        String k = key("boundary");
        clock.advanceMillis(9_900);
        assertThat(admitted(l, k, 5, 10, 8)).isEqualTo(5);
        clock.advanceMillis(200);
        assertThat(l.tryAcquire(k, 5, 10, 1).allowed()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = "SLIDING_WINDOW")
    void slidingWindowWeighsThePreviousWindow(Algorithm a) {
        RateLimiter l = limiter(a);
        String k = key("weigh");
        clock.advanceMillis(9_000);
        assertThat(admitted(l, k, 10, 10, 12)).isEqualTo(10);
        clock.set(START.minusMillis(1).plusMillis(12_500)); // 25 % into the next window: 10 * 0.75 = 7.5 counted
        assertThat(admitted(l, k, 10, 10, 5)).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = "SENTINEL")
    void sentinelBlocksForTheWholeWindowAfterADenial(Algorithm a) {
        RateLimiter l = limiter(a);
        String k = key("block");
        assertThat(admitted(l, k, 5, 10, 5)).isEqualTo(5);
        clock.advanceMillis(1_000);
        assertThat(l.tryAcquire(k, 5, 10, 1).allowed()).isFalse(); // blocked until 11 s
        clock.advanceMillis(9_500); // the log alone would allow now (its entries left at 10 s)
        assertThat(l.tryAcquire(k, 5, 10, 1).allowed()).isFalse();
        clock.advanceMillis(500);
        assertThat(l.tryAcquire(k, 5, 10, 1).allowed()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = "SLIDING_LOG")
    void countingRejectedRequestsKeepsASpammerOut(Algorithm a) {
        RateLimiter l = limiter(a, true);
        String k = key("spam");
        assertThat(admitted(l, k, 5, 10, 5)).isEqualTo(5);
        clock.advanceMillis(5_000);
        assertThat(admitted(l, k, 5, 10, 5)).isZero(); // counted although denied
        clock.advanceMillis(5_500);
        assertThat(l.tryAcquire(k, 5, 10, 1).allowed()).as("the denied requests at 5 s still count").isFalse();
        clock.advanceMillis(5_000);
        assertThat(l.tryAcquire(k, 5, 10, 1).allowed()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = "TOKEN_BUCKET")
    void tokenBucketRefillsContinuously(Algorithm a) {
        RateLimiter l = limiter(a);
        String k = key("refill");
        assertThat(admitted(l, k, 5, 10, 6)).isEqualTo(5);
        clock.advanceMillis(2_000); // one token per 2 s
        assertThat(admitted(l, k, 5, 10, 3)).isEqualTo(1);
        clock.advanceMillis(4_000);
        assertThat(admitted(l, k, 5, 10, 3)).isEqualTo(2);
    }
}
