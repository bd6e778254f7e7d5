package io.polygate.bundle;

import io.polygate.plugin.BundleLoader;
import io.polygate.plugin.BundleLoader.BundleLoadException;
import io.polygate.plugin.LoadedBundle;
import io.polygate.sdk.bundle.BundleException;
import io.polygate.sdk.bundle.BundleVerifier;
import io.polygate.sdk.manifest.BundleManifest;
import io.polygate.sdk.manifest.ManifestException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bundles in {@code bundles_dir}, loaded on first use by an API, in the background: a bundle
 * is a folder {@code <name>/} or a zip {@code <name>.zip} holding {@code manifest.json} and the
 * files of its {@code file_list}. Until a bundle is ready, {@link #current} says why not (loading,
 * failed with the error, missing). A poll notices changed files and loads the new version next to
 * the old one: if it loads, it is swapped in (listeners rebuild the routes) and the old version
 * is closed once idle; if it fails, the old version keeps serving and the status shows the error.
 *
 * <p>Thread-safe. Loading runs on one background thread; {@link #current} never blocks.
 */
public final class BundleStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BundleStore.class);
    static final String MANIFEST = "manifest.json";

    private final Path dir;
    private final BundleLoader loader;
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ExecutorService loading = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "bundle-loader");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService poll = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bundle-poll");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    /** One bundle name: the version serving (or null) and the state of the last load. */
    private static final class Slot {
        volatile LoadedBundle current;
        volatile String state = "loading";
        volatile String error;
        volatile String driver;
        volatile String fingerprint;
        volatile Instant loadedAt;
        /** The first load finished (either way): from then on the poll watches the files. */
        volatile boolean attempted;
    }

    public BundleStore(Path dir, BundleLoader loader, Duration pollInterval) {
        this.dir = dir;
        this.loader = loader;
        loading.execute(() -> {
            try {
                loader.checkRuntime();
            } catch (RuntimeException e) {
                LOG.error("plugin runtime unusable: {}", e.toString(), e);
            }
        });
        if (pollInterval != null && !pollInterval.isZero())
            poll.scheduleWithFixedDelay(this::pollChanges, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Called (on the loader thread) after a bundle became ready, changed, or failed. */
    public void onChange(Runnable listener) { listeners.add(listener); }

    /** Bundle names as APIs give them: {@code x} and {@code x.zip} are the same bundle. */
    public static String normalize(String name) {
        return name.endsWith(".zip") ? name.substring(0, name.length() - 4) : name;
    }

    /** The status of {@code name}; starts loading it in the background when it is not known yet. */
    public BundleStatus status(String name) {
        Slot s = slot(normalize(name));
        return toStatus(normalize(name), s);
    }

    /** The version serving, or null (then {@link #status} says why). Starts loading an unknown bundle. */
    public LoadedBundle current(String name) {
        return slot(normalize(name)).current;
    }

    public List<BundleStatus> list() {
        List<BundleStatus> out = new ArrayList<>();
        slots.forEach((n, s) -> out.add(toStatus(n, s)));
        out.sort(java.util.Comparator.comparing(BundleStatus::name));
        return out;
    }

    private static BundleStatus toStatus(String name, Slot s) {
        LoadedBundle b = s.current;
        return new BundleStatus(name, s.state, b == null ? null : b.version(), s.driver, s.error,
                s.loadedAt == null ? null : s.loadedAt.toString());
    }

    private Slot slot(String name) {
        return slots.computeIfAbsent(name, n -> {
            Slot s = new Slot();
            if (!closed) loading.execute(() -> load(n, s));
            return s;
        });
    }

    private void load(String name, Slot slot) {
        try {
            loadOnce(name, slot);
        } finally {
            slot.attempted = true;
        }
    }

    private void loadOnce(String name, Slot slot) {
        if (closed) return;
        String fingerprint;
        Path bundleDir;
        try {
            Path folder = dir.resolve(name);
            Path zip = dir.resolve(name + ".zip");
            if (!name.matches("[A-Za-z0-9._-]+") || name.startsWith(".")) {
                fail(name, slot, "missing", "bundle \"" + name + "\": not a valid bundle name (letters, digits, . _ -)", null);
                return;
            }
            if (Files.isDirectory(folder)) {
                fingerprint = fingerprint(folder);
                bundleDir = folder;
            } else if (Files.isRegularFile(zip)) {
                fingerprint = fingerprint(zip);
                bundleDir = ZipBundles.extract(name, zip, dir.resolve(".extracted").resolve(name + "-" + fingerprint));
            } else {
                fail(name, slot, "missing", "bundle \"" + name + "\": not found: neither " + folder + "/ nor " + zip + " exists", null);
                return;
            }
            if (slot.current != null && fingerprint.equals(slot.current.version())) return;
            slot.fingerprint = fingerprint;
            BundleManifest manifest = readManifest(name, bundleDir);
            slot.driver = manifest.customMiddleware().driver().name().toLowerCase();
            LoadedBundle loaded = loader.load(name, fingerprint, bundleDir, manifest);
            LoadedBundle old = slot.current;
            slot.current = loaded;
            slot.state = "ready";
            slot.error = null;
            slot.loadedAt = Instant.now();
            fire();
            if (old != null) {
                LOG.info("bundle {}: version {} replaces {}", name, fingerprint, old.version());
                old.close();
            }
        } catch (BundleLoadException | ManifestException e) {
            fail(name, slot, "failed", e.getMessage(), null);
        } catch (IOException | UncheckedIOException e) {
            fail(name, slot, "failed", "bundle \"" + name + "\": cannot be read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            fail(name, slot, "failed", "bundle \"" + name + "\": " + e, e);
        }
    }

    private void fail(String name, Slot slot, String state, String error, Throwable cause) {
        boolean changed = !error.equals(slot.error);
        slot.error = error;
        if (slot.current == null) slot.state = state;
        if (changed) {
            if (cause != null) LOG.error("bundle {} refused: {}", name, error, cause);
            else LOG.error("bundle {} refused: {}{}", name, error, slot.current != null ? "; version " + slot.current.version() + " keeps serving" : "");
            fire();
        }
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
        try {
            // the manifest's checksum, when it has one (signatures need a configured public key: issue 5)
            BundleVerifier.checksumOnly().verify(name, BundleVerifier.readManifest(name, bundleDir), bundleDir);
        } catch (BundleException e) {
            throw new BundleLoadException(e.getMessage(), e);
        }
        return manifest;
    }

    /** A short hash over the names and bytes of every file of the bundle. */
    static String fingerprint(Path path) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (Files.isDirectory(path)) {
            List<Path> files;
            try (Stream<Path> s = Files.walk(path)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path f : files) {
                md.update(path.relativize(f).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(Files.readAllBytes(f));
            }
        } else {
            md.update(Files.readAllBytes(path));
        }
        return HexFormat.of().formatHex(md.digest(), 0, 6);
    }

    private void pollChanges() {
        for (Map.Entry<String, Slot> e : slots.entrySet()) {
            String name = e.getKey();
            Slot s = e.getValue();
            if (!s.attempted) continue;
            try {
                Path folder = dir.resolve(name);
                Path zip = dir.resolve(name + ".zip");
                Path p = Files.isDirectory(folder) ? folder : Files.isRegularFile(zip) ? zip : null;
                String fp = p == null ? null : fingerprint(p);
                if (fp != null && !fp.equals(s.fingerprint)) {
                    LOG.info("bundle {}: files changed ({} -> {}), loading the new version", name, s.fingerprint, fp);
                    s.fingerprint = fp;
                    loading.execute(() -> load(name, s));
                }
            } catch (IOException | RuntimeException ex) {
                LOG.debug("polling bundle {}: {}", name, ex.toString());
            }
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

    @Override
    public void close() {
        closed = true;
        poll.shutdownNow();
        loading.shutdownNow();
        for (Slot s : slots.values()) {
            LoadedBundle b = s.current;
            if (b != null) b.close();
        }
        loader.close();
    }
}
