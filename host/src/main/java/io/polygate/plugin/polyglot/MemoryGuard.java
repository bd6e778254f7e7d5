package io.polygate.plugin.polyglot;

import io.polygate.observability.Metrics;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops plugin code when the heap runs short. GraalVM's community edition has no per-context heap
 * limit, so a hook that allocates without bound would take the whole gateway down; instead, every
 * {@value #POLL_MILLIS} ms a thread of its own reads how much of the old generation is in use. Past
 * {@code maxShare} of the maximum heap, if a plugin call or load running then has allocated a tenth
 * of the heap since it began (or the JVM does not count allocations), every hook call and bundle
 * load running at that moment is cancelled (the requests get 503, the contexts are rebuilt), a log
 * line names their bundles, {@code polygate_plugin_memory_stops_total{bundle}} counts them, and the
 * version whose stopped hook call allocated the most gets a strike ({@link MemoryStrikes}: enough
 * of them take the version out of service).
 *
 * <p>The old generation holds what survived collections and, at once, every large array (a 1 MB
 * buffer or string), so a burst of short-lived small garbage does not trip the guard, and a bomb
 * of large buffers trips it while there is still room to stop it. The allocation test keeps it
 * from stopping innocent calls while the old generation is still full of a stopped call's garbage.
 *
 * <p>It does not wait for the JVM's collection notifications: those are built and delivered by
 * allocating, and a bomb of large buffers fills the heap with no collection in between, so they
 * came when the heap was already full, seconds late or never, while the collector thrashed and
 * host threads (a selector, the watchdog) died of {@code OutOfMemoryError}.
 *
 * <p>Not contained: memory held by host code, or by a plugin's module-level state between calls
 * (that is the bundle's footprint, paid once per context); a single allocation bigger than what is
 * left fails with an {@code OutOfMemoryError} in the guest.
 */
final class MemoryGuard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryGuard.class);

    private static final int OFFENDING_SHARE_PERCENT = 10;
    private static final long POLL_MILLIS = 10;

    private final long maxHeap;
    private final long limitBytes;
    private final HookWatchdog watchdog;
    private final Metrics metrics;
    /** The old generation: the heap pools a usage threshold applies to (G1 Old Gen, PS Old Gen, Tenured Gen). */
    private final List<MemoryPoolMXBean> oldGeneration = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP && p.isUsageThresholdSupported()).toList();
    private final Thread thread;

    MemoryGuard(double maxShare, HookWatchdog watchdog, Metrics metrics) {
        this.maxHeap = Runtime.getRuntime().maxMemory();
        this.limitBytes = (long) (maxShare * maxHeap);
        this.watchdog = watchdog;
        this.metrics = metrics;
        boolean on = maxShare > 0 && maxShare < 1 && maxHeap != Long.MAX_VALUE;
        if (on && oldGeneration.isEmpty()) {
            LOG.warn("plugins.max_heap_share is set, but this JVM's collector shows no old generation: the memory guard is off");
            on = false;
        }
        this.thread = on ? Thread.ofPlatform().daemon().name("plugin-memory-guard").start(this::run) : null;
    }

    private void run() {
        while (true) {
            try {
                Thread.sleep(POLL_MILLIS);
                long used = 0;
                for (int i = 0; i < oldGeneration.size(); i++) used += oldGeneration.get(i).getUsage().getUsed();
                if (used > limitBytes) stopPluginCalls(used);
            } catch (InterruptedException e) {
                return; // closed
            } catch (OutOfMemoryError e) {
                // the heap is short this very moment: look again at the next poll
            }
        }
    }

    private void stopPluginCalls(long used) {
        // A heap still full of a stopped call's garbage (a young collection does not reclaim the old
        // generation) is not filled by the calls running now: stopping them would free nothing.
        if (!watchdog.anyRunningHasAllocated(offendingBytes())) return;
        List<HookWatchdog.Slot> stopped = watchdog.cancelRunning();
        if (stopped.isEmpty()) return; // short of memory, but not in plugin code: nothing to stop
        Map<String, Integer> byBundle = new TreeMap<>();
        for (HookWatchdog.Slot slot : stopped) {
            String bundle = slot.strikes().bundle();
            byBundle.merge(bundle, 1, Integer::sum);
            metrics.counter("polygate.plugin.memory.stops", "Plugin calls and loads stopped because the heap ran short",
                    "bundle", bundle).increment();
        }
        LOG.warn("old generation holds {} MiB of the {} MiB heap ({} %, limit plugins.max_heap_share {} %): stopped {}",
                used >> 20, maxHeap >> 20, Math.round(100.0 * used / maxHeap), Math.round(100.0 * limitBytes / maxHeap),
                "plugin calls " + byBundle);
        MemoryStrikes offender = offender(stopped);
        if (offender != null) offender.strike();
    }

    /**
     * The version to blame, one strike each time calls are stopped: the one whose stopped hook call allocated
     * the most since it began, if that is at least {@value #OFFENDING_SHARE_PERCENT} % of the
     * maximum heap. The calls that only ran beside it are stopped too but are not to blame, nor is
     * a load stopped (a context rebuilt while the heap is still short). When the JVM does not
     * count allocations, every version with a hook call stopped is struck.
     */
    private MemoryStrikes offender(List<HookWatchdog.Slot> stopped) {
        HookWatchdog.Slot most = null;
        long mostBytes = offendingBytes() - 1;
        for (HookWatchdog.Slot slot : stopped) {
            if (!slot.hookCall()) continue;
            long allocated = slot.allocatedSinceStart();
            if (allocated < 0) {
                slot.strikes().strike();
                continue;
            }
            if (allocated > mostBytes) {
                most = slot;
                mostBytes = allocated;
            }
        }
        return most == null ? null : most.strikes();
    }

    private long offendingBytes() {
        return maxHeap / 100 * OFFENDING_SHARE_PERCENT;
    }

    @Override
    public void close() {
        if (thread != null) thread.interrupt();
    }
}
