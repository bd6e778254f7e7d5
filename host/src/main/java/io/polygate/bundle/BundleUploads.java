package io.polygate.bundle;

import io.polygate.bundle.BundleSlots.Slot;
import io.polygate.bundle.BundleStore.Refused;
import io.polygate.bundle.BundleStore.Refused.Reason;
import io.polygate.bundle.BundleStore.UploadResult;
import io.polygate.storage.StoreException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Uploads and deletes through the admin API. An upload is verified and loaded before anything
 * changes, then kept in the store (without Redis also written to {@code bundles_dir}), swapped in,
 * announced to the other nodes, and answered once they report. Each runs in its bundle's turn in
 * the {@link LoadQueue}, and its caller waits for that turn.
 */
final class BundleUploads {
    private final BundleSlots slots;
    private final LoadQueue loads;
    private final BundlePreparer preparer;
    private final StoredBundles stored;
    private final BundleFolder folder;
    private final BundleCluster cluster;

    BundleUploads(BundleSlots slots, LoadQueue loads, BundlePreparer preparer, StoredBundles stored, BundleFolder folder,
                  BundleCluster cluster) {
        this.slots = slots;
        this.loads = loads;
        this.preparer = preparer;
        this.stored = stored;
        this.folder = folder;
        this.cluster = cluster;
    }

    /** See {@link BundleStore#upload}. */
    UploadResult upload(String name, byte[] zip) throws Refused {
        checkName(name);
        if (zip.length == 0) throw new Refused(Reason.INVALID, "bundle \"" + name + "\": the body is empty; send the bundle zip");
        if (zip.length > preparer.maxZipBytes())
            throw new Refused(Reason.TOO_LARGE, "bundle \"" + name + "\": zip is " + zip.length + " bytes, over the limit of "
                    + preparer.maxZipBytes() + " bytes (bundles.max_zip_bytes)");
        UploadResult r = await(loads.submit(name, () -> uploadInTurn(name, zip)));
        BundleStatus st = r.status();
        cluster.announceLoad(name, st.version());
        return new UploadResult(st, r.changed(), r.previousVersion(), cluster.awaitNodes(name, st.version()));
    }

    /** The upload itself, in the bundle's turn: load, keep, swap in. No node reports yet. */
    private UploadResult uploadInTurn(String name, byte[] zip) throws Refused {
        Slot slot = slots.slotForUpload(name);
        String previous = slot.currentVersion();
        BundleVersion loaded;
        try {
            loaded = preparer.fromZip(name, zip, "upload", previous);
        } catch (Refused e) {
            slots.recordFailure(name, slot, e.getMessage(), null);
            throw e;
        }
        boolean changed = loaded != null;
        try {
            stored.keep(name, changed ? loaded.version() : previous, zip);
        } catch (StoreException e) {
            if (loaded != null) loaded.close();
            throw new Refused(Reason.STORE_UNREACHABLE, "bundle \"" + name + "\": cannot be kept in the store (" + e.getMessage()
                    + "); nothing changed" + (previous != null ? ", version " + previous + " keeps serving" : ""));
        }
        if (!cluster.shared()) folder.keep(name, slot, zip);
        if (loaded != null) slots.install(name, slot, loaded);
        cluster.report(name, slot);
        return new UploadResult(slots.status(name, slot), changed, previous, List.of());
    }

    /** See {@link BundleStore#delete}. */
    boolean delete(String name) throws Refused {
        checkName(name);
        boolean deleted = await(loads.submit(name, () -> deleteInTurn(name)));
        if (deleted) cluster.announceDelete(name);
        return deleted;
    }

    private boolean deleteInTurn(String name) throws Refused {
        if (!slots.contains(name) && !stored.has(name)) return false;
        if (folder.isFolder(name))
            throw new Refused(Reason.IN_BUNDLES_DIR, "bundle \"" + name + "\" is the folder " + folder.dir().resolve(name)
                    + " in bundles_dir; remove the folder to delete it");
        stored.forget(name);
        cluster.forget(name);
        folder.deleteZip(name);
        slots.drop(name);
        return true;
    }

    private static void checkName(String name) throws Refused {
        if (name == null || name.isEmpty())
            throw new Refused(Reason.INVALID, "name: required (POST /bundles?name=NAME)");
        if (!BundleStore.validName(name))
            throw new Refused(Reason.INVALID, "name: \"" + name + "\" is not a valid bundle name (1..100 letters, digits, . _ -,"
                    + " not starting with . and not ending in .zip)");
    }

    /** Waits for a task of the load queue: its result, or its {@link Refused} as is. */
    private static <T> T await(Future<T> task) throws Refused {
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Refused r) throw r;
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (CancellationException e) {
            throw new Refused(Reason.STOPPING, "the gateway is stopping");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused(Reason.STOPPING, "interrupted while waiting for the bundle to load");
        }
    }
}
