package io.polygate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AdminAuthFailuresTest {
    static final long SECOND = 1_000_000_000L;
    final AtomicLong now = new AtomicLong(1_000 * SECOND);
    final AdminAuthFailures failures = new AdminAuthFailures(now::get);

    @Test
    void anAddressIsBlockedAfterFiveFailuresUntilItsMinuteEnds() {
        for (int i = 0; i < 4; i++) failures.failed("10.0.0.1");
        assertThat(failures.blockedForSeconds("10.0.0.1")).isZero();
        now.addAndGet(20 * SECOND);
        failures.failed("10.0.0.1");
        assertThat(failures.blockedForSeconds("10.0.0.1")).isEqualTo(40);
        assertThat(failures.blockedForSeconds("10.0.0.2")).as("per address").isZero();
        now.addAndGet(40 * SECOND);
        assertThat(failures.blockedForSeconds("10.0.0.1")).isZero();
    }

    @Test
    void failuresOlderThanTheWindowDoNotCount() {
        for (int i = 0; i < 4; i++) failures.failed("10.0.0.1");
        now.addAndGet(61 * SECOND);
        failures.failed("10.0.0.1");
        assertThat(failures.blockedForSeconds("10.0.0.1")).isZero();
    }
}
