package io.polygate.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.ManualClock;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The {@link QuotaCounter} contract, for the in-memory and the Redis counter, with a manual clock. */
abstract class QuotaCounterContract {
    static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
    protected final ManualClock clock = new ManualClock(START);

    protected abstract QuotaCounter counter();

    protected String id(String name) { return getClass().getSimpleName() + ":" + name + ":" + System.nanoTime(); }

    @Test
    void countsDownThenRefusesUntilThePeriodEnds() {
        QuotaCounter q = counter();
        String id = id("basic");
        for (int i = 1; i <= 3; i++) {
            QuotaCounter.Result r = q.consume(id, 3, 0, 60, 1);
            assertThat(r.allowed()).isTrue();
            assertThat(r.remaining()).isEqualTo(3 - i);
            assertThat(r.renewsAtMillis()).isEqualTo(START.toEpochMilli() + 60_000);
        }
        QuotaCounter.Result over = q.consume(id, 3, 0, 60, 1);
        assertThat(over.allowed()).isFalse();
        assertThat(over.remaining()).isZero();
        clock.advanceMillis(59_999);
        assertThat(q.consume(id, 3, 0, 60, 1).allowed()).isFalse();
    }

    @Test
    void renewsOnTheFirstRequestAfterThePeriod() {
        QuotaCounter q = counter();
        String id = id("renew");
        q.consume(id, 2, 0, 60, 1);
        q.consume(id, 2, 0, 60, 1);
        clock.advanceMillis(90_000); // idle past the end: the new period starts now, not at 60 s
        QuotaCounter.Result r = q.consume(id, 2, 0, 60, 1);
        assertThat(r.allowed()).isTrue();
        assertThat(r.remaining()).isEqualTo(1);
        assertThat(r.renewsAtMillis()).isEqualTo(START.toEpochMilli() + 150_000);
    }

    @Test
    void aPartUsedStartCountsOnlyForTheFirstPeriod() {
        QuotaCounter q = counter();
        String id = id("partial");
        assertThat(q.consume(id, 10, 9, 60, 1).allowed()).isTrue();
        assertThat(q.consume(id, 10, 9, 60, 1).allowed()).isFalse();
        clock.advanceMillis(60_000);
        QuotaCounter.Result r = q.consume(id, 10, 9, 60, 1);
        assertThat(r.allowed()).isTrue();
        assertThat(r.remaining()).isEqualTo(9);
    }

    @Test
    void withoutRenewalTheQuotaNeverComesBack() {
        QuotaCounter q = counter();
        String id = id("forever");
        assertThat(q.consume(id, 1, 0, 0, 1).allowed()).isTrue();
        clock.advanceMillis(365L * 24 * 3600 * 1000);
        QuotaCounter.Result r = q.consume(id, 1, 0, 0, 1);
        assertThat(r.allowed()).isFalse();
        assertThat(r.renewsAtMillis()).isZero();
    }

    @Test
    void aRaisedMaxAppliesAtOnce() {
        QuotaCounter q = counter();
        String id = id("raise");
        q.consume(id, 1, 0, 60, 1);
        assertThat(q.consume(id, 1, 0, 60, 1).allowed()).isFalse();
        assertThat(q.consume(id, 3, 0, 60, 1).remaining()).isEqualTo(1);
    }
}
