package io.polygate.plugin.polyglot;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.graalvm.polyglot.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops hook calls that run past their time limit: one thread scans the contexts in use every
 * {@code tick} and cancels ({@code Context.close(true)}, which the guest cannot catch) those past
 * their deadline. A call costs a few volatile writes on its {@link Slot} and one read of its
 * thread's allocation counter, no scheduling and no
 * wake-up (a scheduled task per call woke the watchdog thread on every request); a runaway call
 * is stopped within its limit plus one tick.
 *
 * <p>A hook call or load also notes what its thread has allocated when it begins (one read of the
 * JVM's per-thread counter), so that the {@link MemoryGuard} can tell the call that fills the heap
 * from those that run beside it, and a heap still full of a stopped call's garbage from one that
 * plugin code is filling.
 *
 * <p>Thread-safe. A slot's deadline is claimed by compare-and-set, so a call that finishes just as
 * the watchdog fires is either finished or cancelled, never both.
 */
final class HookWatchdog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HookWatchdog.class);
    private static final long IDLE = Long.MIN_VALUE;
    private static final long CANCELLED = Long.MIN_VALUE + 1;
    /** Cancelled by {@link #cancelRunning()}: the heap ran short, not the call's time. */
    private static final long STOPPED_FOR_MEMORY = Long.MIN_VALUE + 2;

    /** Each thread's allocations: every context runs on a thread of its own, so its calls' are its thread's. */
    private static final com.sun.management.ThreadMXBean ALLOCATIONS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    private final Set<Slot> slots = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean closed;

    HookWatchdog(Duration timeout) {
        long tickMillis = Math.max(5, Math.min(100, timeout.toMillis() / 10));
        thread = new Thread(() -> run(tickMillis), "plugin-watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether a slot's deadline value is a time, not one of the idle or stopped marks. */
    private static boolean armed(long deadline) {
        return deadline != IDLE && deadline != CANCELLED && deadline != STOPPED_FOR_MEMORY;
    }

    /** The deadline of one context: armed while a hook runs on it. */
    static final class Slot {
        private final Context context;
        private final MemoryStrikes strikes;
        private final AtomicLong deadline = new AtomicLong(IDLE);
        /** Whether what runs is a hook call, not a load (set before the deadline is armed). */
        private volatile boolean hookCall;
        /** The thread running the call or load, and what it had allocated when that began (-1: unknown). */
        private volatile long runningThread;
        private volatile long allocatedAtStart = -1;

        private Slot(Context context, MemoryStrikes strikes) {
            this.context = context;
            this.strikes = strikes;
        }

        /** Arms the deadline at the start of a hook call, on the thread that runs it. */
        void startCall(long timeoutNanos) {
            start(true, timeoutNanos);
        }

        /** Arms the deadline at the start of a bundle's load into this context. */
        void startLoad(long timeoutNanos) {
            start(false, timeoutNanos);
        }

        private void start(boolean isHookCall, long timeoutNanos) {
            runningThread = Thread.currentThread().threadId();
            allocatedAtStart = ALLOCATIONS.getCurrentThreadAllocatedBytes();
            hookCall = isHookCall;
            deadline.set(System.nanoTime() + timeoutNanos);
        }

        /** The strikes of the version this context runs. */
        MemoryStrikes strikes() { return strikes; }

        /** Whether the call last started was a hook call (a load otherwise). */
        boolean hookCall() { return hookCall; }

        /** Bytes the call or load last started has allocated since it began, or -1 when the JVM does not count them. */
        long allocatedSinceStart() {
            long start = allocatedAtStart;
            long now = start < 0 ? -1 : ALLOCATIONS.getThreadAllocatedBytes(runningThread);
            return now < 0 ? -1 : now - start;
        }

        private boolean running() { return armed(deadline.get()); }

        /** Disarms it when the call returns; false if the watchdog had already cancelled the call. */
        boolean finish() {
            long d = deadline.get();
            return d != CANCELLED && d != STOPPED_FOR_MEMORY && deadline.compareAndSet(d, IDLE);
        }

        /** After {@link #finish} answered false: whether the call was stopped because the heap ran short. */
        boolean stoppedForMemory() { return deadline.get() == STOPPED_FOR_MEMORY; }

        private boolean cancel(long d, long reason) {
            if (!armed(d) || !deadline.compareAndSet(d, reason)) return false;
            try {
                context.close(true);
            } catch (RuntimeException e) {
                LOG.debug("cancelling a plugin context: {}", e.toString());
            }
            return true;
        }
    }

    /** @param strikes the strikes of the bundle version the context runs (its name for log lines) */
    Slot watch(Context context, MemoryStrikes strikes) {
        Slot s = new Slot(context, strikes);
        slots.add(s);
        return s;
    }

    void forget(Slot slot) {
        slots.remove(slot);
    }

    private void run(long tickMillis) {
        while (!closed) {
            try {
                TimeUnit.MILLISECONDS.sleep(tickMillis);
            } catch (InterruptedException e) {
                return;
            }
            try {
                long now = System.nanoTime();
                for (Slot s : slots) {
                    long d = s.deadline.get();
                    if (armed(d) && now - d > 0) s.cancel(d, CANCELLED);
                }
            } catch (OutOfMemoryError e) {
                // a plugin is filling the heap (the memory guard stops it): keep watching the deadlines
            }
        }
    }

    /**
     * Whether a call or load running now has allocated at least {@code bytes} since it began, or
     * runs where the JVM does not count allocations.
     */
    boolean anyRunningHasAllocated(long bytes) {
        for (Slot s : slots) {
            if (!s.running()) continue;
            long allocated = s.allocatedSinceStart();
            if (allocated < 0 || allocated >= bytes) return true;
        }
        return false;
    }

    /** Stops every call (and bundle load) running now; answers their slots. */
    java.util.List<Slot> cancelRunning() {
        java.util.List<Slot> stopped = new java.util.ArrayList<>();
        for (Slot s : slots) if (s.cancel(s.deadline.get(), STOPPED_FOR_MEMORY)) stopped.add(s);
        return stopped;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
