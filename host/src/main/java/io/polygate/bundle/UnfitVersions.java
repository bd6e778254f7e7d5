package io.polygate.bundle;

import io.polygate.bundle.BundleSlots.Fallback;
import io.polygate.bundle.BundleSlots.Slot;
import io.polygate.bundle.BundleStore.Refused;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a version the plugin runtime found unfit (stopped by the memory guard
 * {@code plugins.memory_strikes} times) out of service, in its bundle's turn, the way a failed load
 * is handled: the version before it, loaded again from its kept files (up to three attempts, as
 * the heap is short just then), serves instead and the
 * status is {@code ready} with the error; without one (the bundle's first version, or one loaded
 * in place from a bundles_dir folder) the bundle is {@code failed} and its APIs answer 503 with the
 * error. The result is reported to the other nodes' view of the bundle. The unfit version's
 * stored copy is not loaded again on this node unless it is uploaded again.
 */
final class UnfitVersions implements BundleSlots.UnfitListener {
    private static final Logger LOG = LoggerFactory.getLogger(UnfitVersions.class);
    private static final int RESTORE_ATTEMPTS = 3;

    private final BundleSlots slots;
    private final LoadQueue loads;
    private final BundlePreparer preparer;
    private final BundleCluster cluster;

    UnfitVersions(BundleSlots slots, LoadQueue loads, BundlePreparer preparer, BundleCluster cluster) {
        this.slots = slots;
        this.loads = loads;
        this.preparer = preparer;
        this.cluster = cluster;
    }

    @Override
    public void unfit(String name, BundleVersion version, String why) {
        loads.submit(name, () -> takeOut(name, version, why));
    }

    private void takeOut(String name, BundleVersion unfit, String why) {
        Slot slot = slots.get(name);
        // replaced or deleted meanwhile: it is retiring already
        if (slot == null || slot.current() != unfit) return;
        Fallback before = slots.takeFallback(slot);
        BundleVersion restored = null;
        String error = why;
        if (before == null) {
            error += "; there is no version before it to serve instead";
        } else {
            try {
                restored = restore(name, before);
                error += "; version " + before.version() + " serves again";
            } catch (Refused e) {
                BundlePreparer.deleteTree(before.files());
                error += "; version " + before.version() + " could not be loaded again: " + e.getMessage();
            }
        }
        slots.takeOut(name, slot, unfit, restored, error);
        cluster.report(name, slot);
    }

    /**
     * Loads the fallback again, up to {@value #RESTORE_ATTEMPTS} times a second apart: it loads
     * just when the heap ran short, so the memory guard may stop its top-level code too.
     */
    private BundleVersion restore(String name, Fallback before) throws Refused {
        for (int attempt = 1; ; attempt++) {
            try {
                return preparer.fromKeptFiles(name, before.files(), before.source());
            } catch (Refused e) {
                if (attempt == RESTORE_ATTEMPTS) throw e;
                LOG.warn("bundle {}: version {} not loaded again (attempt {} of {}): {}", name, before.version(), attempt, RESTORE_ATTEMPTS,
                        e.getMessage());
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Refused(Refused.Reason.STOPPING, "the gateway is stopping");
            }
        }
    }
}
