package io.polygate.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The order of bundle loads: one name's tasks one at a time in submission order, other names in
 * parallel beside a task that blocks. Asserted by ordering (latches), not by elapsed time; the
 * timeouts only keep a broken queue from hanging the build.
 */
class LoadQueueTest {
    private final LoadQueue queue = new LoadQueue(2, "test-loader");

    @AfterEach
    void close() { queue.close(); }

    @Test
    void tasksOfOneNameRunOneAtATimeInTheOrderSubmitted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger inside = new AtomicInteger();
        List<Integer> order = new CopyOnWriteArrayList<>();
        List<Integer> overlaps = new CopyOnWriteArrayList<>();
        Future<?> last = null;
        for (int i = 1; i <= 5; i++) {
            int n = i;
            last = queue.submit("a", () -> {
                if (inside.incrementAndGet() > 1) overlaps.add(n);
                order.add(n);
                if (n == 1) await(release);
                inside.decrementAndGet();
            });
        }
        release.countDown();
        last.get(30, TimeUnit.SECONDS);
        assertThat(order).containsExactly(1, 2, 3, 4, 5);
        assertThat(overlaps).isEmpty();
    }

    @Test
    void otherNamesRunWhileOneNameIsBlockedWithMoreOfItsTasksQueued() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Future<?> slow = queue.submit("slow", () -> await(release));
        // queued behind the blocked one: they must not take the pool's second thread
        Future<?> slowNext = queue.submit("slow", () -> {});
        queue.submit("slow", () -> {});
        Future<String> b = queue.submit("b", () -> "b done");
        Future<String> c = queue.submit("c", () -> "c done");

        assertThat(b.get(30, TimeUnit.SECONDS)).isEqualTo("b done");
        assertThat(c.get(30, TimeUnit.SECONDS)).isEqualTo("c done");
        assertThat(slow.isDone()).isFalse();
        assertThat(slowNext.isDone()).isFalse();
        release.countDown();
        slowNext.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aFailedTaskDoesNotStopTheNextOfItsName() throws Exception {
        Future<Object> failing = queue.submit("a", () -> {
            throw new IllegalStateException("boom");
        });
        Future<String> next = queue.submit("a", () -> "next");
        assertThat(next.get(30, TimeUnit.SECONDS)).isEqualTo("next");
        assertThatThrownBy(failing::get).hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeCancelsQueuedTasksAndLaterOnes() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        queue.submit("a", () -> {
            started.countDown();
            await(new CountDownLatch(1));
        });
        Future<String> queued = queue.submit("a", () -> "ran");
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        queue.close();
        assertThatThrownBy(queued::get).isInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> queue.submit("b", () -> "ran").get()).isInstanceOf(CancellationException.class);
    }

    /** Waits for the latch; an interrupt (close) ends the wait. */
    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
