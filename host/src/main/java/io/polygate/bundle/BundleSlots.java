package io.polygate.bundle;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bundles this node knows, one {@link Slot} per name, and the state machine of each: a version
 * is {@link #install swapped in} (the old one retired, its extracted files kept as the slot's
 * {@link Fallback}), a refused load is {@link #recordFailure recorded} (the version serving stays),
 * a version found unfit is {@link #takeOut taken out} (the fallback, loaded again, serves instead),
 * a bundle is {@link #drop dropped}. Each change tells the listeners (the routes are rebuilt on it).
 *
 * <p>Threading: reads never block. A slot's state is written only by its bundle's turn in the
 * {@link LoadQueue}, one at a time; the map itself is concurrent.
 */
final class BundleSlots {
    private static final Logger LOG = LoggerFactory.getLogger(BundleSlots.class);

    /** What a slot shows: replaced as one value, so a reader never sees half of a swap or a failure. */
    private record Shown(BundleVersion current, BundleState state, String error, Instant errorAt) {}

    /** The version replaced last, as the files it can be loaded again from (only versions the gateway extracted). */
    record Fallback(String version, String source, Path files) {}

    /** Told when a version serving became unfit ({@link io.polygate.plugin.LoadedBundle#onUnfit}); must not block. */
    interface UnfitListener {
        void unfit(String name, BundleVersion version, String why);
    }

    /** One bundle name. */
    static final class Slot {
        private volatile Shown shown = new Shown(null, BundleState.LOADING, null, null);
        /** Fingerprint of the bundles_dir entry a scan last asked to load (null: none seen yet). */
        volatile String dirSeen;
        /** Fingerprint of the bundles_dir entry last loaded or refused (null: none). */
        volatile String dirLoaded;
        /** The version to fall back to when the one serving is taken out, or null; written in the bundle's turn. */
        private Fallback fallback;
        /** The version last taken out as unfit: the stored copy of it is not loaded again unless uploaded again. */
        volatile String unfitVersion;

        BundleVersion current() { return shown.current(); }

        /** The version serving's version, or null. */
        String currentVersion() {
            BundleVersion b = current();
            return b == null ? null : b.version();
        }
    }

    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private volatile UnfitListener unfitListener = (name, version, why) -> {};

    void onChange(Runnable listener) { listeners.add(listener); }

    void onUnfit(UnfitListener listener) { unfitListener = listener; }

    /** The slot of {@code name}, or null. */
    Slot get(String name) { return slots.get(name); }

    boolean contains(String name) { return slots.containsKey(name); }

    boolean isEmpty() { return slots.isEmpty(); }

    Iterable<String> names() { return slots.keySet(); }

    /** The slot of {@code name}; a new one is given to {@code onNew} (which starts its first load). */
    Slot slot(String name, Consumer<String> onNew) {
        Slot s = slots.get(name);
        if (s != null) return s;
        Slot fresh = new Slot();
        s = slots.putIfAbsent(name, fresh);
        if (s != null) return s;
        onNew.accept(name);
        return fresh;
    }

    /** The slot of {@code name}, created without a load (an upload is about to fill it). */
    Slot slotForUpload(String name) { return slots.computeIfAbsent(name, n -> new Slot()); }

    BundleStatus status(String name, Slot s) {
        Shown sh = s.shown;
        BundleVersion b = sh.current();
        return new BundleStatus(name, sh.state().shown(), b == null ? null : b.version(),
                b == null ? null : b.manifest().customMiddleware().driver().name().toLowerCase(Locale.ROOT), sh.error(),
                b == null ? null : b.loadedAt(), b == null ? null : b.source(), sh.errorAt());
    }

    /** The status of every bundle, by name. */
    List<BundleStatus> list() {
        List<BundleStatus> out = new ArrayList<>();
        slots.forEach((n, s) -> out.add(status(n, s)));
        out.sort(Comparator.comparing(BundleStatus::name));
        return out;
    }

    /** Swaps a loaded version in: routes are rebuilt on it, then the old one is retired. */
    void install(String name, Slot slot, BundleVersion loaded) {
        if (closed) {
            loaded.close();
            return;
        }
        BundleVersion old = slot.current();
        slot.shown = new Shown(loaded, BundleState.READY, null, null);
        slot.unfitVersion = null;
        if (old != null) keepAsFallback(slot, old);
        watch(name, loaded);
        fire();
        if (old != null) {
            LOG.info("bundle {}: version {} ({}) replaces {}; the old version closes once idle", name, loaded.version(), loaded.source(), old.version());
            old.retire();
        } else {
            LOG.info("bundle {}: version {} ({}) is live", name, loaded.version(), loaded.source());
        }
    }

    private void watch(String name, BundleVersion version) {
        version.onUnfit(why -> unfitListener.unfit(name, version, why));
    }

    private static void keepAsFallback(Slot slot, BundleVersion old) {
        Fallback before = slot.fallback;
        Path files = old.keepFiles();
        slot.fallback = files == null ? null : new Fallback(old.version(), old.source(), files);
        if (before != null) BundlePreparer.deleteTree(before.files());
    }

    /** In the bundle's turn: the fallback, now the caller's (it loads or deletes the files), or null. */
    Fallback takeFallback(Slot slot) {
        Fallback f = slot.fallback;
        slot.fallback = null;
        return f;
    }

    /**
     * In the bundle's turn: {@code unfit} stops serving and is retired; {@code replacement} serves
     * instead ({@code ready}, with the error), or, when null, the bundle is {@code failed}, as
     * after a failed load with no version serving.
     */
    void takeOut(String name, Slot slot, BundleVersion unfit, BundleVersion replacement, String error) {
        if (closed) {
            if (replacement != null) replacement.close();
            return;
        }
        slot.unfitVersion = unfit.version();
        slot.shown = new Shown(replacement, replacement != null ? BundleState.READY : BundleState.FAILED, error, Instant.now());
        if (replacement != null) watch(name, replacement);
        LOG.error("bundle {}: {}", name, error);
        fire();
        unfit.retire();
    }

    /**
     * A refused load: the version serving (if any) stays; without one the bundle is {@code failed}.
     * Once the gateway is stopping ({@link #stopInstalling}), a load that ends so was cut short by
     * the shutdown: logged at INFO, nothing recorded.
     */
    void recordFailure(String name, Slot slot, String error, Throwable cause) {
        recordFailure(name, slot, BundleState.FAILED, error, cause);
    }

    /** @param orState the state when no version serves ({@code FAILED} or {@code MISSING}) */
    void recordFailure(String name, Slot slot, BundleState orState, String error, Throwable cause) {
        if (closed) { // the gateway is stopping: the load was cut short, not refused
            LOG.info("bundle {}: load stopped, the gateway is shutting down", name);
            return;
        }
        Shown before = slot.shown;
        BundleVersion current = before.current();
        Shown after = new Shown(current, current != null ? BundleState.READY : orState, error, Instant.now());
        slot.shown = after;
        if (cause != null) LOG.error("bundle {} refused: {}", name, error, cause);
        else LOG.error("bundle {} refused: {}{}", name, error, current != null ? "; version " + current.version() + " keeps serving" : "");
        if (!error.equals(before.error()) || before.state() != after.state()) fire();
    }

    /** In the bundle's turn: forgets it on this node; its version closes once idle. */
    void drop(String name) {
        Slot s = slots.remove(name);
        fire();
        BundleVersion current = s == null ? null : s.current();
        if (current != null) current.retire();
        Fallback fallback = s == null ? null : takeFallback(s);
        if (fallback != null) BundlePreparer.deleteTree(fallback.files());
        LOG.info("bundle {} deleted", name);
    }

    /** From now on a loaded version is closed instead of swapped in. */
    void stopInstalling() { closed = true; }

    boolean closed() { return closed; }

    /** Closes every version serving; call after {@link #stopInstalling}. */
    void closeAll() {
        for (Slot s : slots.values()) {
            BundleVersion b = s.current();
            if (b != null) b.close();
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
}
