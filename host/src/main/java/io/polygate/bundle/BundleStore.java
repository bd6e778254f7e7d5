package io.polygate.bundle;

import io.polygate.config.GatewayConfig.BundlesConfig;
import io.polygate.plugin.BundleLoader;
import io.polygate.storage.ChangeFeed;
import io.polygate.storage.Nodes;
import io.polygate.storage.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every bundle this gateway node knows, where it came from, and the version serving: the facade
 * the gateway and the admin API use. The jobs are done by:
 * <ul>
 *   <li>{@link BundleSlots}: the bundles by name, their {@link BundleState}, the swap to a new
 *       version and the retirement of the old one;
 *   <li>{@link BundlePreparer}: a zip or folder made a verified, loaded {@link BundleVersion};
 *   <li>the sources: {@link BundleUploads} (the admin API), {@link StoredBundles} (uploads kept in
 *       the store), {@link BundleFolder} ({@code bundles_dir}, polled every {@code poll_interval}),
 *       and {@link BundleSources}, which picks the source of a load;
 *   <li>{@link BundleCluster}: notices between nodes and the nodes' reports;
 *   <li>{@link UnfitVersions}: a version the memory guard stopped too often taken out, the one
 *       before it serving again.
 * </ul>
 *
 * <p><b>Sources.</b> Uploads take precedence over a file of the same name that was already in
 * {@code bundles_dir} at start; a file of a bundle in use (an API names it) that is added or
 * changed later is loaded on this node.
 *
 * <p><b>Order.</b> Loads run on a pool of as many threads as cores (at least 2): loads of different
 * bundles run in parallel, so a slow Python bundle does not hold back the others, and loads of one
 * bundle run one at a time in the order they were asked for, so the version asked for last is the
 * one that serves and an older load never replaces a newer one ({@link LoadQueue}).
 *
 * <p>Threading: thread-safe. {@link #upload} and {@link #delete} block their caller until their
 * turn in the bundle's order has run (and, for an upload, the nodes have reported); {@link #reload}
 * until every load asked for so far is done. Loads from files, notices and first use run in the
 * background. {@link #current} and {@link #status} never block.
 */
public final class BundleStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BundleStore.class);

    /** A refused upload or change, and why; the version serving (if any) keeps serving. */
    public static final class Refused extends Exception {
        /** Why a bundle or a change was refused (the admin API answers each with its own status). */
        public enum Reason {
            /** Bad name, empty body, bad zip, manifest, checksum, signature or code. */
            INVALID,
            /** The zip or its content is over a size limit. */
            TOO_LARGE,
            /** The bundle is a folder in bundles_dir, so it cannot be deleted through the API. */
            IN_BUNDLES_DIR,
            /** The store cannot be reached, so the upload cannot be kept; nothing changed. */
            STORE_UNREACHABLE,
            /** The gateway is stopping (or the wait was interrupted). */
            STOPPING,
            /** The zip could not be written to or extracted in this node's temporary folder. */
            UNPACK_FAILED
        }

        public final Reason reason;

        public Refused(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    /** The answer to an upload: the status after it, whether it changed anything, and the nodes' reports. */
    public record UploadResult(BundleStatus status, boolean changed, String previousVersion, List<NodeStatus> nodes) {}

    private final BundleSlots slots = new BundleSlots();
    private final LoadQueue loads = new LoadQueue(Math.max(2, Runtime.getRuntime().availableProcessors()), "bundle-loader");
    /** The work that only asks for loads: scans of bundles_dir, notices. */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bundle-poll");
        t.setDaemon(true);
        return t;
    });
    private final BundleLoader loader;
    private final BundlePreparer preparer;
    private final BundleCluster cluster;
    private final StoredBundles stored;
    private final BundleFolder folder;
    private final BundleSources sources;
    private final BundleUploads uploads;
    private final Duration pollInterval;

    /**
     * @param store  where uploads are kept (null: uploads are not kept, bundles_dir only)
     * @param feed   notices between nodes and key changes (null: this node only)
     * @param nodes  this node's id in statuses, and the live nodes whose reports an upload waits for
     * @throws IllegalArgumentException when the configured public key cannot be read
     */
    public BundleStore(Path dir, BundleLoader loader, BundlesConfig config, Store store, ChangeFeed feed, Nodes nodes) {
        this.loader = loader;
        this.preparer = new BundlePreparer(loader, config);
        this.cluster = new BundleCluster(store, feed, nodes, config.nodeWait(), slots);
        this.stored = new StoredBundles(store, nodes.self(), slots, preparer, cluster);
        this.folder = new BundleFolder(dir, slots, loads, preparer, cluster);
        this.sources = new BundleSources(slots, loads, stored, folder);
        this.uploads = new BundleUploads(slots, loads, preparer, stored, folder, cluster);
        slots.onUnfit(new UnfitVersions(slots, loads, preparer, cluster));
        this.pollInterval = config.pollInterval();
    }

    /**
     * Starts watching: subscribes to reload notices, loads the stored (uploaded) bundles and the
     * bundles in {@code bundles_dir} in the background, and polls the folder. Call once.
     */
    public BundleStore start() {
        cluster.start(timer, sources, sources::syncStored);
        LOG.info("bundles: node {}, folder {}, signatures {}, uploads {}", cluster.nodeId(), folder.dir(),
                preparer.checksSignatures() ? "required" : "not checked (no bundles.public_key)",
                cluster.shared() ? "shared through the store with every node" : "local to this node");
        timer.execute(() -> {
            sources.syncStored();
            folder.poll(true);
            // a bundle's load reports an unusable runtime itself; checking it here too would take
            // seconds of CPU from the first loads
            if (slots.isEmpty()) {
                try {
                    loader.checkRuntime();
                } catch (RuntimeException e) {
                    LOG.error("plugin runtime unusable: {}", e.toString(), e);
                }
            }
            // after the start scan, so that the start scan is the one that sees the files first
            if (pollInterval != null && !pollInterval.isZero())
                timer.scheduleWithFixedDelay(() -> folder.poll(false), pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        });
        return this;
    }

    /**
     * Called after a bundle became ready, changed, failed or was deleted, on the thread that did it;
     * for different bundles, possibly on several threads at once.
     */
    public void onChange(Runnable listener) { slots.onChange(listener); }

    public String nodeId() { return cluster.nodeId(); }

    /** Bundle names as APIs give them: {@code x} and {@code x.zip} are the same bundle. */
    public static String normalize(String name) {
        return name.endsWith(".zip") ? name.substring(0, name.length() - 4) : name;
    }

    /** 1..100 letters, digits, {@code . _ -}, not starting with {@code .} and not ending in {@code .zip}. */
    static boolean validName(String name) {
        return name.length() <= 100 && name.matches("[A-Za-z0-9._-]+") && !name.startsWith(".") && !name.endsWith(".zip");
    }

    /** The status of {@code name}; starts loading it in the background when it is not known yet. */
    public BundleStatus status(String name) {
        String n = normalize(name);
        return slots.status(n, sources.slot(n));
    }

    /** The version serving, or null (then {@link #status} says why). Starts loading an unknown bundle. */
    public BundleVersion current(String name) {
        return sources.slot(normalize(name)).current();
    }

    /** The status of every bundle known to this node, by name. */
    public List<BundleStatus> list() { return slots.list(); }

    /** Whether this node knows the bundle (without starting to load it). */
    public boolean known(String name) { return slots.contains(normalize(name)); }

    /** What each live node reported for {@code name} (this node only without a shared store). Blocking: store reads. */
    public List<NodeStatus> nodes(String name) { return cluster.nodes(name); }

    /** For the admin API: the stored upload's metadata (version, uploaded_at, node), or null. */
    public Map<String, String> storedInfo(String name) { return stored.info(name); }

    /**
     * Uploads a bundle zip under {@code name}: verifies and loads it, keeps it in the store, swaps it
     * in, tells the other nodes and waits for their reports. The same content again changes nothing.
     *
     * @throws Refused {@code INVALID} (bad name, bad zip, manifest, signature, code), {@code TOO_LARGE},
     *                 {@code STORE_UNREACHABLE}, {@code STOPPING}; the old version keeps serving
     */
    public UploadResult upload(String name, byte[] zip) throws Refused { return uploads.upload(name, zip); }

    /**
     * Forgets an uploaded bundle on every node (the store entry and, without Redis, the zip this
     * gateway wrote to {@code bundles_dir}). The caller checks that no API uses it.
     *
     * @return false when there is no such bundle
     * @throws Refused {@code IN_BUNDLES_DIR} when the bundle is a folder in bundles_dir (delete the folder instead)
     */
    public boolean delete(String name) throws Refused { return uploads.delete(name); }

    /**
     * Loads again every bundle whose source changed (stored versions and bundles_dir), on this node
     * and, with a shared store, on every node. Blocks until this node is done.
     */
    public List<BundleStatus> reload() {
        sources.reload();
        awaitLoads();
        cluster.announceReload();
        return list();
    }

    /** Waits until every load asked for so far (of every bundle this node knows) is done. */
    private void awaitLoads() {
        List<Future<Object>> turns = new ArrayList<>();
        for (String name : slots.names()) turns.add(loads.submit(name, () -> null));
        try {
            for (Future<Object> t : turns) t.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | CancellationException e) {
            // a no-op cannot fail; cancelled: the gateway is stopping
        }
    }

    @Override
    public void close() {
        slots.stopInstalling();
        timer.shutdownNow();
        loads.close();
        cluster.close();
        slots.closeAll();
        preparer.close();
    }
}
