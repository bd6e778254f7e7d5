package io.polygate.bundle;

import io.polygate.chain.Pin;
import io.polygate.plugin.HookCall;
import io.polygate.plugin.LoadedBundle;
import io.polygate.sdk.manifest.BundleManifest;
import io.polygate.sdk.manifest.HookRef;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded version of a bundle as the {@link BundleStore} serves it: the loaded code plus a count
 * of the requests inside routes built on it. A reload {@link #retire() retires} the old version
 * after the new routes are live; the old version is closed when its last request has finished
 * (at once if none is inside), and its extracted files are deleted then, unless they were
 * {@link #keepFiles() kept} to restore it from.
 *
 * <p>Threading: {@link #tryRetain()}/{@link #release()} are lock-free and called from request
 * threads; {@link #retire()} from a loader thread, in the bundle's turn (one at a time per bundle).
 */
public final class BundleVersion implements LoadedBundle, Pin {
    private static final Logger LOG = LoggerFactory.getLogger(BundleVersion.class);
    private static final int CLOSED = -1;

    private final LoadedBundle loaded;
    private final Instant loadedAt;
    private final String source;
    /** The folder the gateway extracted this version into, or null (a bundles_dir folder, loaded in place). */
    private final Path files;
    /** Requests inside; {@value #CLOSED} once closed. */
    private final AtomicInteger holds = new AtomicInteger();
    private volatile boolean retired;
    private volatile boolean filesKept;

    /** @param files the folder extracted for this version, deleted when it closes; null when it is not the gateway's */
    BundleVersion(LoadedBundle loaded, Instant loadedAt, String source, Path files) {
        this.loaded = loaded;
        this.loadedAt = loadedAt;
        this.source = source;
        this.files = files;
    }

    @Override public String name() { return loaded.name(); }

    @Override public String version() { return loaded.version(); }

    @Override public BundleManifest manifest() { return loaded.manifest(); }

    public Instant loadedAt() { return loadedAt; }

    /** {@code upload} (admin API or another node) or {@code bundles_dir}. */
    public String source() { return source; }

    @Override
    public int contexts() { return loaded.contexts(); }

    @Override
    public void onUnfit(java.util.function.Consumer<String> listener) { loaded.onUnfit(listener); }

    /**
     * Keeps the extracted files when the version closes, so that it can be loaded again from them;
     * the folder, or null when the files are not the gateway's. Whoever keeps them deletes them.
     */
    Path keepFiles() {
        filesKept = files != null;
        return files;
    }

    @Override
    public CompletableFuture<Void> submit(HookRef hook, HookCall call) {
        return loaded.submit(hook, call);
    }

    @Override
    public boolean tryRetain() {
        for (;;) {
            int h = holds.get();
            if (h == CLOSED) return false;
            if (holds.compareAndSet(h, h + 1)) return true;
        }
    }

    @Override
    public void release() {
        if (holds.decrementAndGet() == 0 && retired) closeIfIdle();
    }

    /** No new routes use this version any more: close it once the requests inside have finished. */
    void retire() {
        retired = true;
        closeIfIdle();
    }

    private void closeIfIdle() {
        if (!holds.compareAndSet(0, CLOSED)) return;
        LOG.info("bundle {}: version {} is idle and closed", name(), version());
        try {
            loaded.close();
        } finally {
            if (files != null && !filesKept) BundlePreparer.deleteTree(files);
        }
    }

    /** Closes now, whatever is inside (gateway shutdown). */
    @Override
    public void close() {
        retired = true;
        if (holds.getAndSet(CLOSED) == CLOSED) return;
        try {
            loaded.close();
        } finally {
            if (files != null && !filesKept) BundlePreparer.deleteTree(files);
        }
    }
}
