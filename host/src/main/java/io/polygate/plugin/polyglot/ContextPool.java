package io.polygate.plugin.polyglot;

import io.polygate.plugin.BundleLoader.BundleLoadException;
import io.polygate.plugin.HookException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The contexts of one bundle version, each owned by a thread of its own (a lane) for its whole
 * life: a lane builds its context, runs every call on it and closes it, so no context is ever
 * entered by a second thread. GraalVM then keeps each context single-threaded (its compiled code
 * needs no multi-thread guards) and no request thread waits for a free context: calls queue, and
 * the next free lane takes the oldest. Why not a lease per request thread: with 64 connections,
 * 64 worker threads took turns on two contexts, each switch a park and an unpark, and every
 * context was entered from dozens of threads.
 *
 * <p>The first lane's context is built while the loader waits ({@link #addFirst}), the other
 * lanes' in the background ({@link #fillInBackground}), so a version serves as soon as one context
 * is ready. A lane whose context can no longer be trusted (stopped by the watchdog) closes it and
 * builds a new one. A call queued longer than {@link #QUEUE_TIMEOUT} is refused as busy. Once
 * closed, the pool refuses new calls, runs those already queued (up to 30 s), then closes its
 * contexts.
 */
final class ContextPool {
    /** The pool logs as the bundle it serves (the log lines predate the split). */
    private static final Logger LOG = LoggerFactory.getLogger(PolyglotBundle.class);
    private static final Duration QUEUE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_QUEUED = 16 * 1024;

    /** A call run on a lane's context. */
    interface Work {
        /** Runs on the lane's thread; answers whether the context can still be trusted. */
        boolean run(Guest guest);

        /** The call will not run (the pool is closed, or too busy): say so to whoever waits. */
        void refuse(HookException why);
    }

    private record Queued(Work work, long queuedAt) {}

    private final String name;
    private final String version;
    private final int size;
    private final GuestFactory factory;
    private final BlockingQueue<Queued> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
    /** Contexts built and serving. */
    private final AtomicInteger contexts = new AtomicInteger();
    private final AtomicInteger lanesAlive = new AtomicInteger();
    private volatile boolean closed;
    private volatile long closedAt;

    ContextPool(String name, String version, int size, GuestFactory factory) {
        this.name = name;
        this.version = version;
        this.size = size;
        this.factory = factory;
    }

    /** Starts the first lane and waits until its context is built; its failure is the load's failure. */
    void addFirst() throws BundleLoadException {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        startLane(0, ready);
        try {
            ready.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BundleLoadException b) throw b;
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new BundleLoadException("bundle \"" + name + "\": interrupted while its first context was built", e);
        }
    }

    /** Starts the other lanes; each builds its context in the background. */
    void fillInBackground() {
        for (int i = 1; i < size; i++) startLane(i, null);
    }

    int contexts() { return contexts.get(); }

    /** Queues a call for the next free lane; never blocks. */
    void submit(Work work) {
        if (closed) {
            work.refuse(closedError());
            return;
        }
        Queued q = new Queued(work, System.nanoTime());
        if (!queue.offer(q)) {
            work.refuse(new HookException(HookException.Kind.BUSY, "bundle \"" + name + "\" has " + MAX_QUEUED
                    + " calls waiting for its " + size + " contexts", null));
            return;
        }
        // closed meanwhile and maybe no lane left to take it: whoever removes it answers it
        if (closed && lanesAlive.get() == 0 && queue.remove(q)) work.refuse(closedError());
    }

    private void startLane(int index, CompletableFuture<Void> ready) {
        lanesAlive.incrementAndGet();
        Thread t = new Thread(() -> lane(ready), "plugin-" + name + "-" + index);
        t.setDaemon(true);
        t.start();
    }

    /** One lane: build a context, run queued calls on it, rebuild it when it can no longer be trusted. */
    private void lane(CompletableFuture<Void> ready) {
        Guest guest = null;
        try {
            if (ready != null) {
                try {
                    guest = build();
                    ready.complete(null);
                } catch (BundleLoadException | RuntimeException e) {
                    ready.completeExceptionally(e);
                    return;
                }
            }
            while (!closed || !drained()) {
                if (guest == null && (guest = buildWithRetries()) == null) return;
                Queued q = queue.poll(200, TimeUnit.MILLISECONDS);
                if (q == null) continue;
                if (System.nanoTime() - q.queuedAt() > QUEUE_TIMEOUT.toNanos()) {
                    q.work().refuse(new HookException(HookException.Kind.BUSY, "no context of bundle \"" + name
                            + "\" became free within " + QUEUE_TIMEOUT.toSeconds() + " s (" + size + " contexts)", null));
                    continue;
                }
                if (!runSafely(q.work(), guest)) {
                    dispose(guest);
                    guest = null;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (guest != null) dispose(guest);
            if (lanesAlive.decrementAndGet() == 0) refuseQueued();
        }
    }

    /** Whether a closed pool has nothing left to run (or has waited long enough for it). */
    private boolean drained() {
        return queue.isEmpty() || System.nanoTime() - closedAt > DRAIN_TIMEOUT.toNanos();
    }

    private boolean runSafely(Work work, Guest guest) {
        try {
            return work.run(guest);
        } catch (RuntimeException e) {
            LOG.error("bundle {} version {}: a call failed outside the guest: {}", name, version, e.toString(), e);
            work.refuse(new HookException(HookException.Kind.GUEST_ERROR, "bundle \"" + name + "\": " + e, e));
            return false;
        }
    }

    private Guest build() throws BundleLoadException {
        Guest g = factory.newGuest();
        contexts.incrementAndGet();
        return g;
    }

    /** A context for a lane started in the background (or rebuilt), retrying with a back-off; null once closed. */
    private Guest buildWithRetries() throws InterruptedException {
        for (int attempt = 1; !closed; attempt++) {
            try {
                long t0 = System.nanoTime();
                Guest g = build();
                LOG.debug("bundle {} version {}: added a context in {} ms", name, version, (System.nanoTime() - t0) / 1_000_000);
                return g;
            } catch (BundleLoadException | RuntimeException e) {
                LOG.error("bundle {} version {}: cannot build a context (attempt {}): {}", name, version, attempt, e.getMessage());
                Thread.sleep(Math.min(30_000, 500L * attempt));
            }
        }
        return null;
    }

    private void dispose(Guest g) {
        contexts.decrementAndGet();
        factory.dispose(g);
    }

    private void refuseQueued() {
        Queued q;
        while ((q = queue.poll()) != null) q.work().refuse(closedError());
        LOG.info("bundle {} version {} closed", name, version);
    }

    private HookException closedError() {
        return new HookException(HookException.Kind.CLOSED, "bundle \"" + name + "\" version " + version + " is closed", null);
    }

    /** Refuses new calls; the lanes run what is queued, then close their contexts. Idempotent. */
    void close() {
        if (closed) return;
        closedAt = System.nanoTime();
        closed = true;
    }
}
