package io.polygate.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.config.GatewayConfig.BundlesConfig;
import io.polygate.plugin.BundleLoader;
import io.polygate.plugin.BundleLoader.BundleLoadException;
import io.polygate.plugin.LoadedBundle;
import io.polygate.sdk.bundle.BundleArchive;
import io.polygate.sdk.bundle.BundleException;
import io.polygate.sdk.bundle.BundleLimits;
import io.polygate.sdk.bundle.BundleVerifier;
import io.polygate.sdk.bundle.PemKeys;
import io.polygate.sdk.manifest.BundleManifest;
import io.polygate.sdk.manifest.ManifestException;
import io.polygate.storage.ChangeFeed;
import io.polygate.storage.Store;
import io.polygate.storage.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every bundle this gateway node knows, where it came from, and the version serving.
 *
 * <p><b>Sources.</b> A bundle is uploaded ({@link #upload}, the admin API's {@code POST /bundles})
 * or sits in {@code bundles_dir} as a folder {@code <name>/} or a zip {@code <name>.zip}. Uploads
 * are kept in the store under {@value #BUNDLE_KEY}{@code <name>} (with Redis: shared by every node)
 * and take precedence over a file of the same name that was already there at start; a file of a
 * bundle in use (an API names it) that is added or changed in {@code bundles_dir} later is loaded
 * on this node (polled every {@code poll_interval}). Without Redis an upload is also written to {@code bundles_dir} as
 * {@code <name>.zip}, so it survives a restart.
 *
 * <p><b>Loading.</b> Every version, whatever its source, is extracted safely
 * ({@link BundleArchive}), verified ({@link BundleVerifier}: checksum; signature when a public key
 * is configured), its manifest validated, its code loaded and its contexts warmed, and only then
 * swapped in: the routes are rebuilt on the new version in one step, and the old version is
 * {@link BundleVersion#retire() retired}, i.e. closed once the requests inside it have finished.
 * A version that fails any step is refused; the old version keeps serving and the status shows
 * the error. Content that is already serving (same version) is not loaded again.
 *
 * <p><b>Nodes.</b> With a shared store, an upload publishes a notice on {@value #TOPIC}; every node
 * loads the stored version and writes its result to {@value #STATUS_KEY}{@code <name>:<node>};
 * {@link #upload} waits (up to {@code node_wait}) for the live nodes ({@value #NODE_KEY}{@code <node>},
 * refreshed every few seconds) to report. A node that starts later loads the stored versions.
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
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String MANIFEST = "manifest.json";
    public static final String TOPIC = "polygate:bundles";
    public static final String BUNDLE_KEY = "polygate:bundle:";
    public static final String STATUS_KEY = "polygate:bundle-status:";
    public static final String NODE_KEY = "polygate:node:";
    private static final Duration NODE_TTL = Duration.ofSeconds(15);
    private static final Duration STATUS_TTL = Duration.ofDays(7);

    /** A refused upload or change: {@code status} is the HTTP status the admin API answers with. */
    public static final class Refused extends Exception {
        public final int status;

        public Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** What one node reports for a bundle. */
    public record NodeStatus(String node, String version, String state, String error, Instant at) {}

    /** The answer to an upload: the status after it, whether it changed anything, and the nodes' reports. */
    public record UploadResult(BundleStatus status, boolean changed, String previousVersion, List<NodeStatus> nodes) {}

    private final Path dir;
    private final BundleLoader loader;
    private final Store store;
    private final ChangeFeed feed;
    private final boolean shared;
    private final String nodeId;
    private final BundleLimits limits;
    private final BundleVerifier verifier;
    private final Duration nodeWait;
    private final Path workDir;
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final LoadQueue loads = new LoadQueue(Math.max(2, Runtime.getRuntime().availableProcessors()), "bundle-loader");
    /** Heartbeats, and the work that only asks for loads: scans of bundles_dir, notices. */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bundle-poll");
        t.setDaemon(true);
        return t;
    });
    private final Duration pollInterval;
    private volatile boolean closed;
    private AutoCloseable subscription;

    /** A bundle's state as {@code GET /bundles} shows it ({@link BundleStatus#state()} in lower case). */
    private enum State {
        LOADING, READY, FAILED, MISSING;

        String shown() { return name().toLowerCase(Locale.ROOT); }
    }

    /** What a slot shows: replaced as one value, so a reader never sees half of a swap or a failure. */
    private record Shown(BundleVersion current, State state, String error, Instant errorAt) {}

    /** One bundle name. {@code shown} is written only by the name's tasks in {@link #loads}, one at a time. */
    private static final class Slot {
        volatile Shown shown = new Shown(null, State.LOADING, null, null);
        /** Fingerprint of the bundles_dir entry a scan last asked to load (null: none seen yet). */
        volatile String dirSeen;
        /** Fingerprint of the bundles_dir entry last loaded or refused (null: none). */
        volatile String dirLoaded;

        BundleVersion current() { return shown.current(); }
    }

    /**
     * @param store  where uploads are kept (null: uploads are not kept, bundles_dir only)
     * @param feed   notices between nodes and key changes (null: this node only)
     * @param nodeId how this node names itself in statuses
     * @throws IllegalArgumentException when the configured public key cannot be read
     */
    public BundleStore(Path dir, BundleLoader loader, BundlesConfig config, Store store, ChangeFeed feed, String nodeId) {
        this.dir = dir;
        this.loader = loader;
        this.store = store;
        this.feed = feed;
        this.shared = store != null && store.remote() && feed != null;
        this.nodeId = nodeId;
        this.limits = new BundleLimits(config.maxZipBytes(), config.maxEntries(), config.maxFileBytes(), config.maxTotalBytes());
        this.nodeWait = config.nodeWait();
        this.pollInterval = config.pollInterval();
        if (config.publicKey() != null) {
            try {
                BundleVerifier v = BundleVerifier.withPublicKey(PemKeys.readPublicKey(config.publicKey()));
                this.verifier = config.requireStrictSignature() ? v.requireStrictSignature() : v;
            } catch (BundleException e) {
                throw new IllegalArgumentException("bundles.public_key: " + e.getMessage(), e);
            }
        } else {
            this.verifier = BundleVerifier.checksumOnly();
        }
        try {
            this.workDir = Files.createTempDirectory("polygate-bundles-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a folder for extracted bundles: " + e.getMessage(), e);
        }
    }

    /**
     * Starts watching: subscribes to reload notices, loads the stored (uploaded) bundles and the
     * bundles in {@code bundles_dir} in the background, and polls the folder. Call once.
     */
    public BundleStore start() {
        if (feed != null) {
            subscription = feed.subscribe(TOPIC, msg -> onTimer(() -> onNotice(msg)));
            feed.onReconnect(() -> onTimer(this::syncStored));
        }
        if (shared) {
            heartbeat();
            timer.scheduleWithFixedDelay(this::heartbeat, NODE_TTL.toMillis() / 3, NODE_TTL.toMillis() / 3, TimeUnit.MILLISECONDS);
        }
        LOG.info("bundles: node {}, folder {}, signatures {}, uploads {}", nodeId, dir,
                verifier.checksSignatures() ? "required" : "not checked (no bundles.public_key)",
                shared ? "shared through the store with every node" : "local to this node");
        timer.execute(() -> {
            syncStored();
            pollDir(true);
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
                timer.scheduleWithFixedDelay(() -> pollDir(false), pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        });
        return this;
    }

    private void onTimer(Runnable task) {
        try {
            timer.execute(task);
        } catch (RejectedExecutionException e) {
            // closed: nothing more to load
        }
    }

    /**
     * Called after a bundle became ready, changed, failed or was deleted, on the thread that did it;
     * for different bundles, possibly on several threads at once.
     */
    public void onChange(Runnable listener) { listeners.add(listener); }

    public String nodeId() { return nodeId; }

    /** Bundle names as APIs give them: {@code x} and {@code x.zip} are the same bundle. */
    public static String normalize(String name) {
        return name.endsWith(".zip") ? name.substring(0, name.length() - 4) : name;
    }

    /** The status of {@code name}; starts loading it in the background when it is not known yet. */
    public BundleStatus status(String name) {
        String n = normalize(name);
        return toStatus(n, slot(n));
    }

    /** The version serving, or null (then {@link #status} says why). Starts loading an unknown bundle. */
    public BundleVersion current(String name) {
        return slot(normalize(name)).current();
    }

    /** The status of every bundle known to this node, by name. */
    public List<BundleStatus> list() {
        List<BundleStatus> out = new ArrayList<>();
        slots.forEach((n, s) -> out.add(toStatus(n, s)));
        out.sort(Comparator.comparing(BundleStatus::name));
        return out;
    }

    /** Whether this node knows the bundle (without starting to load it). */
    public boolean known(String name) { return slots.containsKey(normalize(name)); }

    /** What each live node reported for {@code name} (this node only without a shared store). Blocking: store reads. */
    public List<NodeStatus> nodes(String name) {
        if (!shared) {
            Slot s = slots.get(name);
            BundleStatus st = s == null ? null : toStatus(name, s);
            return st == null ? List.of() : List.of(new NodeStatus(nodeId, st.version(), st.state(), st.error(), st.loadedAt()));
        }
        List<NodeStatus> out = new ArrayList<>();
        for (String node : liveNodes()) {
            NodeStatus ns = readStatus(name, node);
            out.add(ns != null ? ns : new NodeStatus(node, null, "unknown", null, null));
        }
        return out;
    }

    private static BundleStatus toStatus(String name, Slot s) {
        Shown sh = s.shown;
        BundleVersion b = sh.current();
        return new BundleStatus(name, sh.state().shown(), b == null ? null : b.version(),
                b == null ? null : b.manifest().customMiddleware().driver().name().toLowerCase(Locale.ROOT), sh.error(),
                b == null ? null : b.loadedAt(), b == null ? null : b.source(), sh.errorAt());
    }

    /** The slot of {@code name}; a new one starts loading in the background. */
    private Slot slot(String name) {
        Slot s = slots.get(name);
        if (s != null) return s;
        Slot fresh = new Slot();
        s = slots.putIfAbsent(name, fresh);
        if (s != null) return s;
        loads.submit(name, () -> loadFromSources(name));
        return fresh;
    }

    // ---------------------------------------------------------------- upload, delete, reload

    /**
     * Uploads a bundle zip under {@code name}: verifies and loads it, keeps it in the store, swaps it
     * in, tells the other nodes and waits for their reports. The same content again changes nothing.
     *
     * @throws Refused 400 (bad name, bad zip, manifest, signature, code), 413 (over a size limit),
     *                 503 (the store cannot be reached); the old version keeps serving
     */
    public UploadResult upload(String name, byte[] zip) throws Refused {
        checkName(name);
        if (zip.length == 0) throw new Refused(400, "bundle \"" + name + "\": the body is empty; send the bundle zip");
        if (zip.length > limits.maxZipBytes())
            throw new Refused(413, "bundle \"" + name + "\": zip is " + zip.length + " bytes, over the limit of "
                    + limits.maxZipBytes() + " bytes (bundles.max_zip_bytes)");
        UploadResult r = await(loads.submit(name, () -> uploadInTurn(name, zip)));
        BundleStatus st = r.status();
        if (shared) {
            try {
                feed.publish(TOPIC, JSON.createObjectNode().put("op", "load").put("name", name)
                        .put("version", st.version()).put("from", nodeId).toString());
            } catch (RuntimeException e) {
                LOG.error("bundle {}: version {} is live here but the reload notice could not be sent: {}", name, st.version(), e.toString());
            }
        }
        return new UploadResult(st, r.changed(), r.previousVersion(), awaitNodes(name, st.version()));
    }

    /** The upload itself, in the bundle's turn: load, keep in the store, swap in. No node reports yet. */
    private UploadResult uploadInTurn(String name, byte[] zip) throws Refused {
        Slot slot = slots.computeIfAbsent(name, n -> new Slot());
        BundleVersion current = slot.current();
        String previous = current == null ? null : current.version();
        BundleVersion loaded;
        try {
            loaded = loadZip(name, zip, "upload", previous);
        } catch (Refused e) {
            recordFailure(name, slot, e.getMessage(), null);
            throw e;
        }
        boolean changed = loaded != null;
        String version = changed ? loaded.version() : previous;
        String stored = JSON.createObjectNode().put("version", version).put("uploaded_at", Instant.now().toString())
                .put("node", nodeId).put("zip", Base64.getEncoder().encodeToString(zip)).toString();
        try {
            if (store != null) store.set(BUNDLE_KEY + name, stored, null);
        } catch (StoreException e) {
            if (loaded != null) loaded.close();
            throw new Refused(503, "bundle \"" + name + "\": cannot be kept in the store (" + e.getMessage()
                    + "); nothing changed" + (previous != null ? ", version " + previous + " keeps serving" : ""));
        }
        if (!shared) persistToDir(name, slot, zip);
        if (loaded != null) install(name, slot, loaded);
        writeStatus(name, slot);
        return new UploadResult(toStatus(name, slot), changed, previous, List.of());
    }

    /**
     * Forgets an uploaded bundle on every node (the store entry and, without Redis, the zip this
     * gateway wrote to {@code bundles_dir}). The caller checks that no API uses it.
     *
     * @return false when there is no such bundle
     * @throws Refused 409 when the bundle is a folder in bundles_dir (delete the folder instead)
     */
    public boolean delete(String name) throws Refused {
        checkName(name);
        boolean deleted = await(loads.submit(name, () -> deleteInTurn(name)));
        if (deleted && shared) feed.publish(TOPIC, JSON.createObjectNode().put("op", "delete").put("name", name).put("from", nodeId).toString());
        return deleted;
    }

    private boolean deleteInTurn(String name) throws Refused {
        boolean inStore = store != null && store.get(BUNDLE_KEY + name) != null;
        if (!slots.containsKey(name) && !inStore) return false;
        if (Files.isDirectory(dir.resolve(name)))
            throw new Refused(409, "bundle \"" + name + "\" is the folder " + dir.resolve(name)
                    + " in bundles_dir; remove the folder to delete it");
        if (store != null) {
            store.delete(BUNDLE_KEY + name);
            for (String k : store.keys(STATUS_KEY + name + ":")) store.delete(k);
        }
        try {
            Files.deleteIfExists(dir.resolve(name + ".zip"));
        } catch (IOException e) {
            LOG.warn("bundle {}: cannot delete {}: {}", name, dir.resolve(name + ".zip"), e.toString());
        }
        drop(name);
        return true;
    }

    /**
     * Loads again every bundle whose source changed (stored versions and bundles_dir), on this node
     * and, with a shared store, on every node. Blocks until this node is done.
     */
    public List<BundleStatus> reload() {
        syncStored();
        pollDir(false);
        awaitLoads();
        if (shared) feed.publish(TOPIC, JSON.createObjectNode().put("op", "reload").put("from", nodeId).toString());
        return list();
    }

    /** Waits until every load asked for so far (of every bundle this node knows) is done. */
    private void awaitLoads() {
        List<Future<Object>> turns = new ArrayList<>();
        for (String name : slots.keySet()) turns.add(loads.submit(name, () -> null));
        try {
            for (Future<Object> t : turns) t.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | CancellationException e) {
            // a no-op cannot fail; cancelled: the gateway is stopping
        }
    }

    /** Waits for a task of {@link #loads}: its result, or its {@link Refused} as is. */
    private static <T> T await(Future<T> task) throws Refused {
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Refused r) throw r;
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (CancellationException e) {
            throw new Refused(503, "the gateway is stopping");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused(503, "interrupted while waiting for the bundle to load");
        }
    }

    /** In the bundle's turn: forgets it on this node; its version closes once idle. */
    private void drop(String name) {
        Slot s = slots.remove(name);
        fire();
        BundleVersion current = s == null ? null : s.current();
        if (current != null) current.retire();
        LOG.info("bundle {} deleted", name);
    }

    // ---------------------------------------------------------------- loading (each in its bundle's turn, see LoadQueue)

    /** Runs on the timer thread; only asks for loads. */
    private void onNotice(String message) {
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
            case "load" -> loadStoredSoon(name);
            case "delete" -> loads.submit(name, () -> {
                if (slots.containsKey(name)) drop(name);
            });
            case "reload" -> {
                syncStored();
                pollDir(false);
            }
            default -> LOG.warn("bundles: unknown notice {}", message);
        }
    }

    /** Asks for a load of every stored bundle (each loads if its version differs from the one serving). */
    private void syncStored() {
        if (store == null) return;
        List<String> keys;
        try {
            keys = store.keys(BUNDLE_KEY);
        } catch (StoreException e) {
            LOG.error("bundles: cannot list the stored bundles: {}", e.getMessage());
            return;
        }
        for (String k : keys) loadStoredSoon(k.substring(BUNDLE_KEY.length()));
    }

    /** Asks for a load of the stored version of {@code name} (a bundle new to this node: its first load). */
    private void loadStoredSoon(String name) {
        if (slots.containsKey(name)) {
            loads.submit(name, () -> {
                Slot slot = slots.get(name);
                if (slot != null) loadStored(name, slot);
            });
        } else {
            slot(name);
        }
    }

    /** @return true when the store has the bundle (loaded, unchanged or failed) */
    private boolean loadStored(String name, Slot slot) {
        if (store == null) return false;
        String json;
        try {
            json = store.get(BUNDLE_KEY + name);
        } catch (StoreException e) {
            recordFailure(name, slot, "bundle \"" + name + "\": cannot be read from the store: " + e.getMessage(), null);
            return false;
        }
        if (json == null) return false;
        try {
            JsonNode n = JSON.readTree(json);
            String version = n.path("version").asText();
            BundleVersion cur = slot.current();
            if (cur == null || !cur.version().equals(version)) {
                BundleVersion loaded = loadZip(name, Base64.getDecoder().decode(n.path("zip").asText()), "upload",
                        cur == null ? null : cur.version());
                if (loaded != null) install(name, slot, loaded);
            }
        } catch (Refused e) {
            recordFailure(name, slot, e.getMessage(), null);
        } catch (IOException | IllegalArgumentException e) {
            recordFailure(name, slot, "bundle \"" + name + "\": the stored copy is unreadable: " + e.getMessage(), e);
        }
        writeStatus(name, slot);
        return true;
    }

    /** First load of a name an API asked for: the store, else bundles_dir, else missing. */
    private void loadFromSources(String name) {
        Slot slot = slots.get(name);
        if (closed || slot == null || slot.current() != null) return;
        if (!validName(name)) {
            recordFailure(name, slot, State.MISSING, "bundle \"" + name + "\": not a valid bundle name (letters, digits, . _ -)", null);
            return;
        }
        if (loadStored(name, slot)) return;
        Path p = dirEntry(name);
        if (p == null) {
            recordFailure(name, slot, State.MISSING, "bundle \"" + name + "\": not found: neither uploaded nor in " + dir
                    + " (as " + name + "/ or " + name + ".zip)", null);
            return;
        }
        loadDir(name, slot, p);
    }

    /**
     * Scans bundles_dir and asks for a load of each entry of a bundle in use that is new or changed
     * since the last scan. One scan at a time, so a change is asked for once.
     */
    private synchronized void pollDir(boolean atStart) {
        if (closed || !Files.isDirectory(dir)) return;
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String f = p.getFileName().toString();
                if (f.startsWith(".")) continue;
                String n = Files.isDirectory(p) ? f : f.endsWith(".zip") ? f.substring(0, f.length() - 4) : null;
                if (n != null && validName(n) && !names.contains(n)) names.add(n);
            }
        } catch (IOException e) {
            LOG.debug("bundles: cannot list {}: {}", dir, e.toString());
            return;
        }
        for (String name : names) {
            try {
                Path p = dirEntry(name);
                if (p == null) continue;
                String fp = fingerprint(p);
                // only bundles in use (an API names it, or it was uploaded) are loaded, as Tyk does
                Slot slot = slots.get(name);
                if (slot == null || fp.equals(slot.dirSeen)) continue;
                boolean uploadWins = atStart && slot.dirSeen == null;
                slot.dirSeen = fp;
                loads.submit(name, () -> loadDirInTurn(name, uploadWins));
            } catch (IOException | RuntimeException e) {
                LOG.debug("bundles: polling {}: {}", name, e.toString());
            }
        }
    }

    /** @param uploadWins an upload already serving stays (the file was there before this node started) */
    private void loadDirInTurn(String name, boolean uploadWins) {
        Slot slot = slots.get(name);
        Path p = dirEntry(name);
        if (slot == null || p == null) return;
        BundleVersion cur = slot.current();
        if (uploadWins && cur != null && "upload".equals(cur.source())) return;
        loadDir(name, slot, p);
    }

    /**
     * Loads a bundles_dir entry, unless that same entry was loaded or refused already (a scan may ask
     * for an entry that the first load, still queued then, loads before it).
     */
    private void loadDir(String name, Slot slot, Path p) {
        BundleVersion cur = slot.current();
        try {
            String fp = fingerprint(p);
            if (fp.equals(slot.dirLoaded)) return;
            slot.dirSeen = fp;
            slot.dirLoaded = fp;
            BundleVersion loaded;
            if (Files.isDirectory(p)) {
                loaded = prepare(name, p, null, "bundles_dir", cur == null ? null : cur.version());
            } else {
                loaded = loadZip(name, Files.readAllBytes(p), "bundles_dir", cur == null ? null : cur.version());
            }
            if (loaded != null) install(name, slot, loaded);
        } catch (Refused e) {
            recordFailure(name, slot, e.getMessage(), null);
        } catch (IOException e) {
            recordFailure(name, slot, "bundle \"" + name + "\": " + p + " cannot be read: " + e.getMessage(), e);
        }
        writeStatus(name, slot);
    }

    /** Extracts, verifies and loads a zip; null when that version is already serving. */
    private BundleVersion loadZip(String name, byte[] zip, String source, String currentVersion) throws Refused {
        Path tmp = null;
        Path dest = workDir.resolve(name + "-" + UUID.randomUUID().toString().substring(0, 8));
        try {
            tmp = Files.createTempFile(workDir, name + "-", ".zip");
            Files.write(tmp, zip);
            BundleArchive.extract(name, tmp, dest, limits);
            BundleVersion v = prepare(name, dest, dest, source, currentVersion);
            if (v == null) deleteTree(dest);
            return v;
        } catch (BundleException e) {
            deleteTree(dest);
            throw new Refused(e.problem() == BundleException.Problem.TOO_LARGE ? 413 : 400, e.getMessage());
        } catch (IOException e) {
            deleteTree(dest);
            throw new Refused(500, "bundle \"" + name + "\": cannot be unpacked: " + e.getMessage());
        } catch (Refused | RuntimeException e) {
            deleteTree(dest);
            throw e;
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temp file left in our own temp folder; removed with it at close
                }
            }
        }
    }

    /**
     * Verifies an extracted bundle and loads it (contexts built and warmed); null when that
     * version is already serving. {@code owned}: a folder to delete when the version is closed.
     */
    private BundleVersion prepare(String name, Path root, Path owned, String source, String currentVersion) throws Refused {
        try {
            BundleManifest manifest = readManifest(name, root);
            verifier.verify(name, BundleVerifier.readManifest(name, root), root);
            List<String> unsigned = manifest.hookPathsOutsideFileList();
            if (verifier.checksSignatures() && !unsigned.isEmpty())
                throw new Refused(400, "bundle \"" + name + "\": " + String.join(", ", unsigned) + " named by a hook's path but not in"
                        + " file_list: no signature covers it, and signatures are required (add it to file_list)");
            String version = contentVersion(root, manifest);
            if (version.equals(currentVersion)) return null;
            LoadedBundle loaded = loader.load(name, version, root, manifest);
            Runnable cleanup = owned == null ? null : () -> deleteTree(owned);
            return new BundleVersion(loaded, Instant.now(), source, cleanup);
        } catch (BundleException e) {
            throw new Refused(e.problem() == BundleException.Problem.TOO_LARGE ? 413 : 400, e.getMessage());
        } catch (ManifestException | BundleLoadException e) {
            throw new Refused(400, e.getMessage());
        } catch (IOException e) {
            throw new Refused(400, "bundle \"" + name + "\": cannot be read: " + e.getMessage());
        }
    }

    /** Swaps a loaded version in: routes are rebuilt on it, then the old one is retired. */
    private void install(String name, Slot slot, BundleVersion loaded) {
        if (closed) {
            loaded.close();
            return;
        }
        BundleVersion old = slot.current();
        slot.shown = new Shown(loaded, State.READY, null, null);
        fire();
        if (old != null) {
            LOG.info("bundle {}: version {} ({}) replaces {}; the old version closes once idle", name, loaded.version(), loaded.source(), old.version());
            old.retire();
        } else {
            LOG.info("bundle {}: version {} ({}) is live", name, loaded.version(), loaded.source());
        }
    }

    /** A refused load: the version serving (if any) stays; without one the bundle is {@code failed}. */
    private void recordFailure(String name, Slot slot, String error, Throwable cause) {
        recordFailure(name, slot, State.FAILED, error, cause);
    }

    /** @param orState the state when no version serves ({@code failed} or {@code missing}) */
    private void recordFailure(String name, Slot slot, State orState, String error, Throwable cause) {
        Shown before = slot.shown;
        BundleVersion current = before.current();
        Shown after = new Shown(current, current != null ? State.READY : orState, error, Instant.now());
        slot.shown = after;
        if (cause != null) LOG.error("bundle {} refused: {}", name, error, cause);
        else LOG.error("bundle {} refused: {}{}", name, error, current != null ? "; version " + current.version() + " keeps serving" : "");
        if (!error.equals(before.error()) || before.state() != after.state()) fire();
    }

    private void persistToDir(String name, Slot slot, byte[] zip) {
        if (Files.isDirectory(dir.resolve(name))) {
            LOG.warn("bundle {}: {} is a folder, so the upload is not written to bundles_dir and will not survive a restart", name, dir.resolve(name));
            return;
        }
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + name, ".zip.tmp");
            Files.write(tmp, zip);
            Path target = dir.resolve(name + ".zip");
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            String fp = fingerprint(target);
            slot.dirSeen = fp;
            slot.dirLoaded = fp;
        } catch (IOException e) {
            LOG.warn("bundle {}: cannot write {} (the upload will not survive a restart): {}", name, dir.resolve(name + ".zip"), e.toString());
        }
    }

    // ---------------------------------------------------------------- node statuses

    private void heartbeat() {
        try {
            store.set(NODE_KEY + nodeId, JSON.createObjectNode().put("node", nodeId).put("at", Instant.now().toString()).toString(), NODE_TTL);
        } catch (RuntimeException e) {
            LOG.debug("bundles: heartbeat: {}", e.toString());
        }
    }

    private List<String> liveNodes() {
        List<String> nodes = new ArrayList<>();
        for (String k : store.keys(NODE_KEY)) nodes.add(k.substring(NODE_KEY.length()));
        if (!nodes.contains(nodeId)) nodes.add(nodeId);
        nodes.sort(null);
        return nodes;
    }

    private void writeStatus(String name, Slot slot) {
        if (!shared) return;
        BundleStatus st = toStatus(name, slot);
        ObjectNode n = JSON.createObjectNode().put("node", nodeId).put("version", st.version()).put("state", st.state())
                .put("at", Instant.now().toString());
        if (st.error() != null) n.put("error", st.error());
        try {
            store.set(STATUS_KEY + name + ":" + nodeId, n.toString(), STATUS_TTL);
        } catch (RuntimeException e) {
            LOG.warn("bundle {}: cannot report this node's status: {}", name, e.toString());
        }
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
    private List<NodeStatus> awaitNodes(String name, String version) {
        if (!shared) return nodes(name);
        Instant since = Instant.now().minusSeconds(1);
        long deadline = System.nanoTime() + nodeWait.toNanos();
        while (true) {
            List<NodeStatus> out = new ArrayList<>();
            boolean done = true;
            try {
                for (String node : liveNodes()) {
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

    // ---------------------------------------------------------------- helpers

    private static void checkName(String name) throws Refused {
        if (name == null || name.isEmpty())
            throw new Refused(400, "name: required (POST /bundles?name=NAME)");
        if (!validName(name))
            throw new Refused(400, "name: \"" + name + "\" is not a valid bundle name (1..100 letters, digits, . _ -, not starting with . and not ending in .zip)");
    }

    static boolean validName(String name) {
        return name.length() <= 100 && name.matches("[A-Za-z0-9._-]+") && !name.startsWith(".") && !name.endsWith(".zip");
    }

    private Path dirEntry(String name) {
        Path folder = dir.resolve(name);
        Path zip = dir.resolve(name + ".zip");
        return Files.isDirectory(folder) ? folder : Files.isRegularFile(zip) ? zip : null;
    }

    static BundleManifest readManifest(String name, Path bundleDir) throws IOException, ManifestException, BundleLoadException {
        Path m = bundleDir.resolve(MANIFEST);
        byte[] json;
        try {
            json = Files.readAllBytes(m);
        } catch (NoSuchFileException e) {
            throw new BundleLoadException("bundle \"" + name + "\": manifest.json is missing");
        }
        BundleManifest manifest = BundleManifest.parse(name, json);
        List<String> missing = new ArrayList<>();
        for (String f : manifest.fileList()) {
            Path p = bundleDir.resolve(f).normalize();
            if (!p.startsWith(bundleDir.normalize()) || !Files.isRegularFile(p)) missing.add(f);
        }
        if (!missing.isEmpty())
            throw new BundleLoadException("bundle \"" + name + "\": manifest.json: file_list names "
                    + (missing.size() == 1 ? "a file that is" : "files that are") + " not in the bundle: " + String.join(", ", missing));
        return manifest;
    }

    /**
     * The version of a bundle: the first 12 hex digits of SHA-256 over {@code manifest.json} and
     * the {@code file_list} files (name and bytes), so the same content has the same version
     * however it was packed or delivered.
     */
    static String contentVersion(Path root, BundleManifest manifest) throws IOException {
        MessageDigest md = sha256();
        update(md, MANIFEST, Files.readAllBytes(root.resolve(MANIFEST)));
        for (String f : manifest.fileList()) update(md, f, Files.readAllBytes(root.resolve(f)));
        for (String f : manifest.hookPathsOutsideFileList()) {
            Path p = root.resolve(f);
            if (Files.isRegularFile(p)) update(md, f, Files.readAllBytes(p));
        }
        return HexFormat.of().formatHex(md.digest(), 0, 6);
    }

    private static void update(MessageDigest md, String name, byte[] bytes) {
        md.update(name.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(Long.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
        md.update((byte) 0);
        md.update(bytes);
    }

    /** A cheap change detector for a bundles_dir entry: names, sizes and modification times. */
    static String fingerprint(Path path) throws IOException {
        MessageDigest md = sha256();
        List<Path> files;
        if (Files.isDirectory(path)) {
            try (Stream<Path> s = Files.walk(path)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
        } else {
            files = List.of(path);
        }
        for (Path f : files) {
            md.update(path.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update((Files.size(f) + ":" + Files.getLastModifiedTime(f).toMillis()).getBytes(StandardCharsets.US_ASCII));
            md.update((byte) 0);
        }
        return HexFormat.of().formatHex(md.digest(), 0, 8);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path p) {
        if (p == null || !Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        } catch (IOException e) {
            LOG.debug("cannot delete {}: {}", p, e.toString());
        }
    }

    private void fire() {
        for (Runnable r : listeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.error("bundle change listener failed: {}", e.toString(), e);
            }
        }
    }

    /** A name unique to this process, for statuses: host name and a random suffix. */
    public static String newNodeId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "node";
        }
        return host.replaceAll("[^A-Za-z0-9.-]", "") + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        loads.close();
        if (subscription != null) {
            try {
                subscription.close();
            } catch (Exception e) {
                LOG.debug("bundles: unsubscribing: {}", e.toString());
            }
        }
        if (shared) {
            try {
                store.delete(NODE_KEY + nodeId);
            } catch (RuntimeException e) {
                LOG.debug("bundles: removing the node key: {}", e.toString());
            }
        }
        for (Slot s : slots.values()) {
            BundleVersion b = s.current();
            if (b != null) b.close();
        }
        loader.close();
        deleteTree(workDir);
    }

    /** For the admin API: the stored upload's metadata (version, uploaded_at, node), or null. */
    public Map<String, String> storedInfo(String name) {
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
