package io.polygate.plugin.polyglot;

import io.polygate.plugin.BundleLoader.BundleLoadException;
import io.polygate.plugin.HookException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The contexts of one bundle version, each leased to one request at a time. The first context is
 * built by the loader, the rest (and the successor of a context that can no longer be trusted) on
 * a background refill thread, so a version serves as soon as one context is ready. Once closed,
 * the pool lets calls in flight finish (up to 30 s), then closes its contexts.
 */
final class ContextPool {
    /** The pool logs as the bundle it serves (the log lines predate the split). */
    private static final Logger LOG = LoggerFactory.getLogger(PolyglotBundle.class);
    private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(10);

    private final String name;
    private final String version;
    private final int size;
    private final GuestFactory factory;
    private final BlockingQueue<Guest> idle;
    private final ExecutorService refill;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Contexts in the pool, idle or busy. */
    private final AtomicInteger contexts = new AtomicInteger();
    private volatile boolean closed;

    ContextPool(String name, String version, int size, GuestFactory factory) {
        this.name = name;
        this.version = version;
        this.size = size;
        this.factory = factory;
        this.idle = new ArrayBlockingQueue<>(size);
        this.refill = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "plugin-refill-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Builds the first context on the caller's thread. */
    void addFirst() throws BundleLoadException {
        offer(factory.newGuest());
    }

    /** Builds the rest of the pool in the background. */
    void fillInBackground() {
        for (int i = 1; i < size; i++) refill.execute(this::addGuest);
    }

    int contexts() { return contexts.get(); }

    /** A free context, waiting up to {@link #ACQUIRE_TIMEOUT}; give it back with {@link #release}. */
    Guest lease() throws HookException {
        if (closed) throw new HookException(HookException.Kind.CLOSED, "bundle \"" + name + "\" version " + version + " is closed", null);
        inFlight.incrementAndGet();
        Guest guest;
        try {
            guest = idle.poll(ACQUIRE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            inFlight.decrementAndGet();
            Thread.currentThread().interrupt();
            throw new HookException(HookException.Kind.BUSY, "interrupted while waiting for a context of bundle \"" + name + "\"", e);
        }
        if (guest == null) {
            inFlight.decrementAndGet();
            throw new HookException(HookException.Kind.BUSY, "no context of bundle \"" + name + "\" became free within "
                    + ACQUIRE_TIMEOUT.toSeconds() + " s (" + size + " contexts)", null);
        }
        return guest;
    }

    /** Gives a leased context back; one that is not {@code healthy} is closed and replaced in the background. */
    void release(Guest guest, boolean healthy) {
        if (healthy && !closed) {
            idle.add(guest);
        } else {
            dispose(guest);
            if (!closed) refill.execute(this::addGuest);
        }
        inFlight.decrementAndGet();
    }

    private void offer(Guest g) {
        contexts.incrementAndGet();
        idle.add(g);
    }

    /** Builds one more context for the pool (on the refill thread), retrying with a back-off. */
    private void addGuest() {
        for (int attempt = 1; !closed; attempt++) {
            try {
                long t0 = System.nanoTime();
                Guest g = factory.newGuest();
                if (closed) {
                    factory.dispose(g);
                    return;
                }
                offer(g);
                LOG.debug("bundle {} version {}: added a context in {} ms", name, version, (System.nanoTime() - t0) / 1_000_000);
                return;
            } catch (BundleLoadException | RuntimeException e) {
                LOG.error("bundle {} version {}: cannot build a context (attempt {}): {}", name, version, attempt, e.getMessage());
                try {
                    Thread.sleep(Math.min(30_000, 500L * attempt));
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void dispose(Guest g) {
        contexts.decrementAndGet();
        factory.dispose(g);
    }

    /** Stops refilling; the contexts are closed once the calls in flight are done. Idempotent. */
    void close() {
        if (closed) return;
        closed = true;
        refill.shutdownNow();
        Thread closer = new Thread(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    break;
                }
            }
            Guest g;
            while ((g = idle.poll()) != null) dispose(g);
            LOG.info("bundle {} version {} closed", name, version);
        }, "plugin-close-" + name);
        closer.setDaemon(true);
        closer.start();
    }
}
