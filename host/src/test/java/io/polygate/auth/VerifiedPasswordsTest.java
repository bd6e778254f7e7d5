package io.polygate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class VerifiedPasswordsTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void aVerifiedPasswordHoldsForItsTimeToLiveAndOnlyForItsHash() {
        VerifiedPasswords cache = new VerifiedPasswords(Duration.ofSeconds(60), clock);
        assertThat(cache.contains("$2a$10$hash-1", "pw")).isFalse();
        cache.add("$2a$10$hash-1", "pw");
        assertThat(cache.contains("$2a$10$hash-1", "pw")).isTrue();
        assertThat(cache.contains("$2a$10$hash-1", "other")).as("another password").isFalse();
        assertThat(cache.contains("$2a$10$hash-2", "pw")).as("a changed hash is checked afresh").isFalse();
        clock.advance(Duration.ofSeconds(60));
        assertThat(cache.contains("$2a$10$hash-1", "pw")).as("expired").isFalse();
    }

    @Test
    void aZeroTimeToLiveKeepsNothing() {
        VerifiedPasswords cache = new VerifiedPasswords(Duration.ZERO, clock);
        cache.add("h", "pw");
        assertThat(cache.contains("h", "pw")).isFalse();
    }

    @Test
    void aFullCacheStartsOver() {
        VerifiedPasswords cache = new VerifiedPasswords(Duration.ofSeconds(60), clock);
        for (int i = 0; i < VerifiedPasswords.MAX_ENTRIES; i++) cache.add("h" + i, "pw");
        assertThat(cache.contains("h0", "pw")).isTrue();
        cache.add("one-more", "pw");
        assertThat(cache.contains("h0", "pw")).isFalse();
        assertThat(cache.contains("one-more", "pw")).isTrue();
    }
}
