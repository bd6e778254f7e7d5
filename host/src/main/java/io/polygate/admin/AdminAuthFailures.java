package io.polygate.admin;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Wrong admin secrets per client address: once an address has sent {@value #MAX_FAILURES} wrong ones
 * within a window of {@value #WINDOW_SECONDS} s (counted from its first failure), every admin
 * call from it is refused until the window ends, whatever secret it sends, so guessing the secret
 * gets {@value #MAX_FAILURES} tries a minute. Node-local; thread-safe; windows that ended are
 * forgotten once more than {@value #PURGE_ABOVE} addresses are remembered.
 */
final class AdminAuthFailures {
    static final int MAX_FAILURES = 5;
    static final long WINDOW_SECONDS = 60;
    private static final long WINDOW_NANOS = WINDOW_SECONDS * 1_000_000_000L;
    private static final int PURGE_ABOVE = 10_000;

    private record Window(long startNanos, int failures) {}

    private final Map<String, Window> byAddress = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    AdminAuthFailures() { this(System::nanoTime); }

    AdminAuthFailures(LongSupplier nanoTime) { this.nanoTime = nanoTime; }

    /** Seconds until {@code address} may call again (at least 1), or 0 when it is not blocked. */
    long blockedForSeconds(String address) {
        Window w = byAddress.get(address);
        if (w == null || w.failures() < MAX_FAILURES) return 0;
        long left = w.startNanos() + WINDOW_NANOS - nanoTime.getAsLong();
        return left <= 0 ? 0 : Math.max(1, left / 1_000_000_000L);
    }

    /** Counts a failed authentication from {@code address}. */
    void failed(String address) {
        long now = nanoTime.getAsLong();
        if (byAddress.size() > PURGE_ABOVE) byAddress.values().removeIf(w -> now - w.startNanos() >= WINDOW_NANOS);
        byAddress.compute(address, (a, w) -> w == null || now - w.startNanos() >= WINDOW_NANOS
                ? new Window(now, 1) : new Window(w.startNanos(), w.failures() + 1));
    }
}
