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
 * their deadline. A call costs two atomic writes on its {@link Slot}, no scheduling and no
 * wake-up (a scheduled task per call woke the watchdog thread on every request); a runaway call
 * is stopped within its limit plus one tick.
 *
 * <p>Thread-safe. A slot's deadline is claimed by compare-and-set, so a call that finishes just as
 * the watchdog fires is either finished or cancelled, never both.
 */
final class HookWatchdog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HookWatchdog.class);
    private static final long IDLE = Long.MIN_VALUE;
    private static final long CANCELLED = Long.MIN_VALUE + 1;

    private final Set<Slot> slots = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean closed;

    HookWatchdog(Duration timeout) {
        long tickMillis = Math.max(5, Math.min(100, timeout.toMillis() / 10));
        thread = new Thread(() -> run(tickMillis), "plugin-watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    /** The deadline of one context: armed while a hook runs on it. */
    static final class Slot {
        private final Context context;
        private final AtomicLong deadline = new AtomicLong(IDLE);

        private Slot(Context context) {
            this.context = context;
        }

        /** Arms the deadline at the start of a call. */
        void start(long timeoutNanos) {
            deadline.set(System.nanoTime() + timeoutNanos);
        }

        /** Disarms it when the call returns; false if the watchdog had already cancelled the call. */
        boolean finish() {
            long d = deadline.get();
            return d != CANCELLED && deadline.compareAndSet(d, IDLE);
        }
    }

    Slot watch(Context context) {
        Slot s = new Slot(context);
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
            long now = System.nanoTime();
            for (Slot s : slots) {
                long d = s.deadline.get();
                if (d != IDLE && d != CANCELLED && now - d > 0 && s.deadline.compareAndSet(d, CANCELLED)) {
                    try {
                        s.context.close(true);
                    } catch (RuntimeException e) {
                        LOG.debug("cancelling a plugin context: {}", e.toString());
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
