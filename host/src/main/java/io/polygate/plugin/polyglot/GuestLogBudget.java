package io.polygate.plugin.polyglot;

import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * A bundle's allowance of guest log lines ({@code tyk.log}, {@code print}, {@code console.log}):
 * {@value #LINES_PER_SECOND} a second, shared by all its contexts and versions; lines past that are
 * dropped and counted, and the count is logged (WARN, one line) with the first line of a later
 * second. Keyed by the bundle's logger name ({@code plugin.<bundle>}). Thread-safe.
 */
final class GuestLogBudget {
    static final int LINES_PER_SECOND = 100;
    private static final long SECOND_NANOS = 1_000_000_000L;
    private static final ConcurrentHashMap<String, GuestLogBudget> BUDGETS = new ConcurrentHashMap<>();

    private final Logger log;
    private long secondStart = System.nanoTime();
    private int logged;
    private long dropped;

    private GuestLogBudget(Logger log) { this.log = log; }

    /** The budget of the bundle that {@code log} is named after. */
    static GuestLogBudget of(Logger log) {
        return BUDGETS.computeIfAbsent(log.getName(), n -> new GuestLogBudget(log));
    }

    /** Whether one more line may be logged now; first logs how many the last busy second dropped. */
    boolean admit() {
        long droppedBefore = 0;
        boolean admitted;
        synchronized (this) {
            long now = System.nanoTime();
            if (now - secondStart >= SECOND_NANOS) {
                droppedBefore = dropped;
                secondStart = now;
                logged = 0;
                dropped = 0;
            }
            admitted = logged < LINES_PER_SECOND;
            if (admitted) logged++;
            else dropped++;
        }
        if (droppedBefore > 0)
            log.warn("{} guest log lines dropped (a bundle logs at most {} lines a second)", droppedBefore, LINES_PER_SECOND);
        return admitted;
    }
}
