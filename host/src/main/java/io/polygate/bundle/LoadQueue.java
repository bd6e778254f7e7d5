package io.polygate.bundle;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where bundle loads run: a pool of {@code threads} threads; tasks of one bundle name run one at a
 * time, in the order they were submitted, and tasks of different names run in parallel. A name's
 * queued tasks wait without holding a pool thread, so a slow load takes one thread and holds back
 * only the later tasks of its own name.
 *
 * <p>Threading: thread-safe; {@link #submit} never blocks. A task must not wait for another task of
 * the pool (with every thread waiting, nothing would run). After {@link #close()}, running tasks
 * are interrupted, queued ones cancelled, and new ones cancelled at once (their
 * {@link Future#get()} throws {@code CancellationException}).
 */
final class LoadQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoadQueue.class);

    private final ExecutorService pool;
    /** Per name: its tasks, the head running (or about to). Guarded by {@code this}. */
    private final Map<String, Queue<FutureTask<?>>> byName = new HashMap<>();
    private boolean closed;

    LoadQueue(int threads, String threadName) {
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, threadName + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code task} after the tasks already submitted for {@code name}. */
    <T> Future<T> submit(String name, Callable<T> task) {
        FutureTask<T> f = new FutureTask<>(task);
        boolean first;
        synchronized (this) {
            if (closed) {
                f.cancel(false);
                return f;
            }
            Queue<FutureTask<?>> q = byName.computeIfAbsent(name, k -> new ArrayDeque<>());
            q.add(f);
            first = q.size() == 1;
        }
        if (first) start(name);
        return f;
    }

    /** Runs {@code task} after the tasks already submitted for {@code name}; a failure is logged. */
    Future<?> submit(String name, Runnable task) {
        return submit(name, () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.error("bundle {}: a background load failed: {}", name, e.toString(), e);
                throw e;
            }
            return null;
        });
    }

    private void start(String name) {
        try {
            pool.execute(() -> runHead(name));
        } catch (RejectedExecutionException e) {
            cancelQueued();
        }
    }

    /** Runs the head of the name's queue, then hands the next one back to the pool (other names get their turn). */
    private void runHead(String name) {
        FutureTask<?> head;
        synchronized (this) {
            Queue<FutureTask<?>> q = byName.get(name);
            if (q == null) return; // closed meanwhile: the queue was cancelled
            head = q.peek();
        }
        head.run();
        boolean more;
        synchronized (this) {
            Queue<FutureTask<?>> q = byName.get(name);
            if (q == null) return;
            q.remove();
            more = !q.isEmpty();
            if (!more) byName.remove(name);
        }
        if (more) start(name);
    }

    private void cancelQueued() {
        List<FutureTask<?>> queued = new ArrayList<>();
        synchronized (this) {
            closed = true;
            byName.values().forEach(queued::addAll);
            byName.clear();
        }
        for (FutureTask<?> f : queued) f.cancel(false);
    }

    @Override
    public void close() {
        cancelQueued();
        pool.shutdownNow();
    }
}
