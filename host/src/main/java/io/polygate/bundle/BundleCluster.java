package io.polygate.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.bundle.BundleSlots.Slot;
import io.polygate.sdk.json.Json;
import io.polygate.storage.ChangeFeed;
import io.polygate.storage.Nodes;
import io.polygate.storage.Store;
import io.polygate.storage.StoreException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nodes sharing one store: notices on {@value #TOPIC} (load, delete, reload), this node's
 * result for each bundle under {@value #STATUS_KEY}{@code <name>:<node>}, and the wait of an upload
 * for the reports of the live nodes ({@link Nodes}, the registry the rate limiter shares).
 * Without a shared store (no Redis, or no change feed) every call concerns this node only.
 *
 * <p>Threading: thread-safe; reads and writes of the store block their caller.
 */
final class BundleCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BundleCluster.class);
    private static final ObjectMapper JSON = Json.MAPPER;
    static final String TOPIC = "polygate:bundles";
    static final String STATUS_KEY = "polygate:bundle-status:";
    private static final Duration STATUS_TTL = Duration.ofDays(7);

    /** What a notice from another node asks this node to do; called on the timer thread. */
    interface Notices {
        void load(String name);

        void delete(String name);

        void reload();
    }

    private final Store store;
    private final ChangeFeed feed;
    private final boolean shared;
    private final Nodes nodes;
    private final String nodeId;
    private final Duration nodeWait;
    private final BundleSlots slots;
    private AutoCloseable subscription;

    BundleCluster(Store store, ChangeFeed feed, Nodes nodes, Duration nodeWait, BundleSlots slots) {
        this.store = store;
        this.feed = feed;
        this.shared = store != null && store.remote() && feed != null;
        this.nodes = nodes;
        this.nodeId = nodes.self();
        this.nodeWait = nodeWait;
        this.slots = slots;
    }

    /** Whether other nodes share the store: then uploads live there, not in bundles_dir. */
    boolean shared() { return shared; }

    String nodeId() { return nodeId; }

    /**
     * Subscribes to the notices (handled on {@code timer}). {@code onReconnect}: what to do when the
     * feed reconnects (notices may have been missed).
     */
    void start(ScheduledExecutorService timer, Notices notices, Runnable onReconnect) {
        if (feed != null) {
            subscription = feed.subscribe(TOPIC, msg -> onTimer(timer, () -> onNotice(msg, notices)));
            feed.onReconnect(() -> onTimer(timer, onReconnect));
        }
    }

    private static void onTimer(ScheduledExecutorService timer, Runnable task) {
        try {
            timer.execute(task);
        } catch (RejectedExecutionException e) {
            // closed: nothing more to load
        }
    }

    private void onNotice(String message, Notices notices) {
        JsonNode n;
        try {
            n = JSON.readTree(message);
        } catch (IOException e) {
            LOG.warn("bundles: ignoring a malformed notice: {}", message);
            return;
        }
        String op = n.path("op").asText();
        String name = n.path("name").asText();
        if (nodeId.equals(n.path("from").asText())) return;
        switch (op) {
            case "load" -> notices.load(name);
            case "delete" -> notices.delete(name);
            case "reload" -> notices.reload();
            default -> LOG.warn("bundles: unknown notice {}", message);
        }
    }

    /** Tells the other nodes to load the stored {@code version} of {@code name}; a failure is logged. */
    void announceLoad(String name, String version) {
        if (!shared) return;
        try {
            publish(notice("load").put("name", name).put("version", version));
        } catch (RuntimeException e) {
            LOG.error("bundle {}: version {} is live here but the reload notice could not be sent: {}", name, version, e.toString());
        }
    }

    void announceDelete(String name) {
        if (shared) publish(notice("delete").put("name", name));
    }

    void announceReload() {
        if (shared) publish(notice("reload"));
    }

    private static ObjectNode notice(String op) { return JSON.createObjectNode().put("op", op); }

    /** Sends a notice, signed with this node's id so that this node ignores it. */
    private void publish(ObjectNode notice) { feed.publish(TOPIC, notice.put("from", nodeId).toString()); }

    /** Writes this node's status of {@code name} for the other nodes (with a shared store). */
    void report(String name, Slot slot) {
        if (!shared) return;
        BundleStatus st = slots.status(name, slot);
        ObjectNode n = JSON.createObjectNode().put("node", nodeId).put("version", st.version()).put("state", st.state())
                .put("at", Instant.now().toString());
        if (st.error() != null) n.put("error", st.error());
        try {
            store.set(STATUS_KEY + name + ":" + nodeId, n.toString(), STATUS_TTL);
        } catch (RuntimeException e) {
            LOG.warn("bundle {}: cannot report this node's status: {}", name, e.toString());
        }
    }

    /** Deletes every node's status of {@code name}. */
    void forget(String name) {
        if (store == null) return;
        for (String k : store.keys(STATUS_KEY + name + ":")) store.delete(k);
    }

    /** What each live node reported for {@code name} (this node only without a shared store). */
    List<NodeStatus> nodes(String name) {
        if (!shared) {
            Slot s = slots.get(name);
            if (s == null) return List.of();
            BundleStatus st = slots.status(name, s);
            return List.of(new NodeStatus(nodeId, st.version(), st.state(), st.error(), st.loadedAt()));
        }
        List<NodeStatus> out = new ArrayList<>();
        for (String node : nodes.liveNow()) {
            NodeStatus ns = readStatus(name, node);
            out.add(ns != null ? ns : new NodeStatus(node, null, "unknown", null, null));
        }
        return out;
    }

    private NodeStatus readStatus(String name, String node) {
        String json = store.get(STATUS_KEY + name + ":" + node);
        if (json == null) return null;
        try {
            JsonNode n = JSON.readTree(json);
            return new NodeStatus(node, n.path("version").isTextual() ? n.path("version").asText() : null, n.path("state").asText(),
                    n.path("error").isTextual() ? n.path("error").asText() : null,
                    n.path("at").isTextual() ? Instant.parse(n.path("at").asText()) : null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Waits until every live node reports {@code version} (or an error after the upload), up to node_wait. */
    List<NodeStatus> awaitNodes(String name, String version) {
        if (!shared) return nodes(name);
        Instant since = Instant.now().minusSeconds(1);
        long deadline = System.nanoTime() + nodeWait.toNanos();
        while (true) {
            List<NodeStatus> out = new ArrayList<>();
            boolean done = true;
            try {
                for (String node : nodes.liveNow()) {
                    NodeStatus ns = readStatus(name, node);
                    boolean loaded = ns != null && version != null && version.equals(ns.version());
                    boolean failed = ns != null && !loaded && ns.error() != null && ns.at() != null && ns.at().isAfter(since);
                    if (loaded) out.add(new NodeStatus(node, ns.version(), "ready", null, ns.at()));
                    else if (failed) out.add(new NodeStatus(node, ns.version(), "failed", ns.error(), ns.at()));
                    else {
                        done = false;
                        out.add(new NodeStatus(node, ns == null ? null : ns.version(), "pending", null, ns == null ? null : ns.at()));
                    }
                }
            } catch (StoreException e) {
                LOG.warn("bundle {}: cannot read the nodes' reports: {}", name, e.getMessage());
                return out;
            }
            if (done || System.nanoTime() > deadline) return out;
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return out;
            }
        }
    }

    /** Unsubscribes from the notices (the gateway closes the node registry, which the others then stop waiting for). */
    @Override
    public void close() {
        if (subscription == null) return;
        try {
            subscription.close();
        } catch (Exception e) {
            LOG.debug("bundles: unsubscribing: {}", e.toString());
        }
    }
}
