package io.polygate.plugin.polyglot;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.polygate.observability.Metrics;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops plugin code when the heap runs short. GraalVM's community edition has no per-context heap
 * limit, so a hook that allocates without bound would take the whole gateway down; instead, after
 * every garbage collection the JVM reports how much of the heap survived it. Past {@code maxShare}
 * of the maximum heap, if a plugin call or load running then has allocated a tenth of the heap
 * since it began (or the JVM does not count allocations), every hook call and bundle load running
 * at that moment is cancelled (the requests get 503, the contexts are rebuilt), a log line names
 * their bundles, {@code polygate_plugin_memory_stops_total{bundle}} counts them, and the version
 * whose stopped hook call allocated the most gets a strike ({@link MemoryStrikes}: enough of them
 * take the version out of service).
 *
 * <p>What survived a collection is what is held, so a burst of short-lived garbage does not trip
 * the guard; and the allocation test keeps it from stopping innocent calls while the heap is still
 * full of a stopped call's garbage, which a young collection does not reclaim.
 *
 * <p>Not contained: memory held by host code, or by a plugin's module-level state between calls
 * (that is the bundle's footprint, paid once per context); a single allocation bigger than what is
 * left fails with an {@code OutOfMemoryError} in the guest before any collection reports.
 */
final class MemoryGuard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryGuard.class);

    private static final int OFFENDING_SHARE_PERCENT = 10;

    private final double maxShare;
    private final long maxHeap;
    private final HookWatchdog watchdog;
    private final Metrics metrics;
    private final Set<String> heapPools;
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::afterCollection;

    MemoryGuard(double maxShare, HookWatchdog watchdog, Metrics metrics) {
        this.maxShare = maxShare;
        this.maxHeap = Runtime.getRuntime().maxMemory();
        this.watchdog = watchdog;
        this.metrics = metrics;
        this.heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).map(p -> p.getName()).collect(Collectors.toSet());
        if (maxShare <= 0 || maxShare >= 1 || maxHeap == Long.MAX_VALUE) return;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter e) {
                e.addNotificationListener(listener, null, null);
                emitters.add(e);
            }
        }
    }

    private void afterCollection(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) return;
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long used = 0;
        for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet())
            if (heapPools.contains(pool.getKey())) used += pool.getValue().getUsed();
        if (used <= maxShare * maxHeap) return;
        // A heap still full of a stopped call's garbage (a young collection does not reclaim the old
        // generation) is not filled by the calls running now: stopping them would free nothing.
        if (!watchdog.anyRunningHasAllocated(offendingBytes())) return;
        List<HookWatchdog.Slot> stopped = watchdog.cancelRunning();
        Map<String, Integer> byBundle = new TreeMap<>();
        for (HookWatchdog.Slot slot : stopped) {
            String bundle = slot.strikes().bundle();
            byBundle.merge(bundle, 1, Integer::sum);
            metrics.counter("polygate.plugin.memory.stops", "Plugin calls and loads stopped because the heap ran short",
                    "bundle", bundle).increment();
        }
        if (stopped.isEmpty()) return; // short of memory, but not in plugin code: nothing to stop
        LOG.warn("heap {} MiB of {} MiB in use after {} ({} %, limit plugins.max_heap_share {} %): stopped {}",
                used >> 20, maxHeap >> 20, info.getGcName(), Math.round(100.0 * used / maxHeap), Math.round(100 * maxShare),
                "plugin calls " + byBundle);
        MemoryStrikes offender = offender(stopped);
        if (offender != null) offender.strike();
    }

    /**
     * The version to blame, one strike per collection: the one whose stopped hook call allocated
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
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(listener);
            } catch (ListenerNotFoundException ignored) {
                // already gone
            }
        }
    }
}
