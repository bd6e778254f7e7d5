package io.polygate.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A clock that moves only when told to. Thread-safe. */
public final class ManualClock implements InstantSource {
    private volatile Instant now;

    public ManualClock(Instant start) { this.now = start; }

    @Override public Instant instant() { return now; }

    public synchronized void advance(Duration d) { now = now.plus(d); }

    public void advanceMillis(long ms) { advance(Duration.ofMillis(ms)); }

    public synchronized void set(Instant t) { now = t; }
}
