package io.polygate.admin;

import static io.polygate.admin.AdminRequests.JSON;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.admin.AdminRequests.Reply;
import io.polygate.assembly.ApiRegistry;
import io.polygate.storage.Store;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;

/** {@code GET /health}: the store's reachability (503 when down), the number of APIs, the heap. */
final class HealthResource {
    private final Store store;
    private final ApiRegistry apis;

    HealthResource(Store store, ApiRegistry apis) {
        this.store = store;
        this.apis = apis;
    }

    Reply get() {
        boolean up = store.ping();
        ObjectNode n = JSON.createObjectNode();
        n.put("status", up ? "pass" : "fail");
        n.putObject("storage").put("store", store.describe()).put("up", up);
        n.put("apis", apis.list().size());
        ObjectNode jvm = n.putObject("jvm");
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        jvm.put("heap_used_bytes", heap.getUsed());
        jvm.put("heap_max_bytes", heap.getMax());
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) peak += pool.getPeakUsage().getUsed();
        }
        jvm.put("heap_peak_used_bytes", peak);
        return new Reply(up ? 200 : 503, n);
    }
}
