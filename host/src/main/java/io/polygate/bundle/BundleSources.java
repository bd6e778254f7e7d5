package io.polygate.bundle;

import io.polygate.bundle.BundleSlots.Slot;
import java.nio.file.Path;

/**
 * Which source a load of a bundle comes from. The first use of a name loads it from the store,
 * else from {@code bundles_dir}, else the bundle is {@code missing}; a reload (asked on this node
 * or by another node's notice) asks for a load of every stored bundle and every changed
 * {@code bundles_dir} entry. Each load runs in its bundle's turn in the {@link LoadQueue}.
 */
final class BundleSources implements BundleCluster.Notices {
    private final BundleSlots slots;
    private final LoadQueue loads;
    private final StoredBundles stored;
    private final BundleFolder folder;

    BundleSources(BundleSlots slots, LoadQueue loads, StoredBundles stored, BundleFolder folder) {
        this.slots = slots;
        this.loads = loads;
        this.stored = stored;
        this.folder = folder;
    }

    /** The slot of {@code name}; a new one starts its first load in the background. */
    Slot slot(String name) {
        return slots.slot(name, n -> loads.submit(n, () -> firstLoad(n)));
    }

    /** Asks for a load of every stored bundle (each loads if its version differs from the one serving). */
    void syncStored() {
        for (String name : stored.names()) load(name);
    }

    /** Asks for a load of the stored version of {@code name} (a bundle new to this node: its first load). */
    @Override
    public void load(String name) {
        if (slots.contains(name)) {
            loads.submit(name, () -> {
                Slot slot = slots.get(name);
                if (slot != null) stored.load(name, slot);
            });
        } else {
            slot(name);
        }
    }

    /** Forgets {@code name} on this node, in its turn. */
    @Override
    public void delete(String name) {
        loads.submit(name, () -> {
            if (slots.contains(name)) slots.drop(name);
        });
    }

    /** Asks for a load of every bundle whose source changed; does not wait for the loads. */
    @Override
    public void reload() {
        syncStored();
        folder.poll(false);
    }

    private void firstLoad(String name) {
        Slot slot = slots.get(name);
        if (slots.closed() || slot == null || slot.current() != null) return;
        if (!BundleStore.validName(name)) {
            slots.recordFailure(name, slot, BundleState.MISSING, "bundle \"" + name + "\": not a valid bundle name (letters, digits, . _ -)", null);
            return;
        }
        if (stored.load(name, slot)) return;
        Path p = folder.entry(name);
        if (p == null) {
            slots.recordFailure(name, slot, BundleState.MISSING, "bundle \"" + name + "\": not found: neither uploaded nor in "
                    + folder.dir() + " (as " + name + "/ or " + name + ".zip)", null);
            return;
        }
        folder.load(name, slot, p);
    }
}
