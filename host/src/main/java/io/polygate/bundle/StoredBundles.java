package io.polygate.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polygate.bundle.BundleSlots.Slot;
import io.polygate.bundle.BundleStore.Refused;
import io.polygate.sdk.json.Json;
import io.polygate.storage.Store;
import io.polygate.storage.StoreException;
import java.io.IOException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploaded bundles as the store keeps them: {@value #BUNDLE_KEY}{@code <name>} holds the version,
 * when and where it was uploaded, and the zip (with Redis: shared by every node). Without a store
 * there are no stored bundles.
 */
final class StoredBundles {
    private static final Logger LOG = LoggerFactory.getLogger(StoredBundles.class);
    private static final ObjectMapper JSON = Json.MAPPER;
    static final String BUNDLE_KEY = "polygate:bundle:";

    private final Store store;
    private final String nodeId;
    private final BundleSlots slots;
    private final BundlePreparer preparer;
    private final BundleCluster cluster;

    /** @param store null: no uploads are kept */
    StoredBundles(Store store, String nodeId, BundleSlots slots, BundlePreparer preparer, BundleCluster cluster) {
        this.store = store;
        this.nodeId = nodeId;
        this.slots = slots;
        this.preparer = preparer;
        this.cluster = cluster;
    }

    /** The names of the stored bundles; empty (and logged) when the store cannot be read. */
    List<String> names() {
        if (store == null) return List.of();
        try {
            return store.keys(BUNDLE_KEY).stream().map(k -> k.substring(BUNDLE_KEY.length())).toList();
        } catch (StoreException e) {
            LOG.error("bundles: cannot list the stored bundles: {}", e.getMessage());
            return List.of();
        }
    }

    boolean has(String name) { return store != null && store.get(BUNDLE_KEY + name) != null; }

    /**
     * In the bundle's turn: loads the stored version unless it is the one serving or the one this
     * node took out as unfit, and reports the result to the other nodes.
     *
     * @return true when the store has the bundle (loaded, unchanged or failed)
     */
    boolean load(String name, Slot slot) {
        if (store == null) return false;
        String json;
        try {
            json = store.get(BUNDLE_KEY + name);
        } catch (StoreException e) {
            slots.recordFailure(name, slot, "bundle \"" + name + "\": cannot be read from the store: " + e.getMessage(), null);
            return false;
        }
        if (json == null) return false;
        try {
            JsonNode n = JSON.readTree(json);
            String version = n.path("version").asText();
            String current = slot.currentVersion();
            // a version taken out as unfit (BundleSlots.takeOut) comes back only by an upload
            if (!version.equals(current) && !version.equals(slot.unfitVersion)) {
                BundleVersion loaded = preparer.fromZip(name, Base64.getDecoder().decode(n.path("zip").asText()), "upload", current);
                if (loaded != null) slots.install(name, slot, loaded);
            }
        } catch (Refused e) {
            slots.recordFailure(name, slot, e.getMessage(), null);
        } catch (IOException | IllegalArgumentException e) {
            slots.recordFailure(name, slot, "bundle \"" + name + "\": the stored copy is unreadable: " + e.getMessage(), e);
        }
        cluster.report(name, slot);
        return true;
    }

    /** Keeps an upload of {@code version} (no-op without a store). */
    void keep(String name, String version, byte[] zip) throws StoreException {
        if (store == null) return;
        String stored = JSON.createObjectNode().put("version", version).put("uploaded_at", Instant.now().toString())
                .put("node", nodeId).put("zip", Base64.getEncoder().encodeToString(zip)).toString();
        store.set(BUNDLE_KEY + name, stored, null);
    }

    void forget(String name) {
        if (store != null) store.delete(BUNDLE_KEY + name);
    }

    /** The stored upload's metadata (version, uploaded_at, node), or null. */
    Map<String, String> info(String name) {
        if (store == null) return null;
        String json = store.get(BUNDLE_KEY + name);
        if (json == null) return null;
        try {
            JsonNode n = JSON.readTree(json);
            Map<String, String> m = new LinkedHashMap<>();
            for (String f : List.of("version", "uploaded_at", "node")) if (n.hasNonNull(f)) m.put(f, n.get(f).asText());
            return m;
        } catch (IOException e) {
            return null;
        }
    }
}
