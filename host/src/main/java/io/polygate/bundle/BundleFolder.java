package io.polygate.bundle;

import io.polygate.bundle.BundleSlots.Slot;
import io.polygate.bundle.BundleStore.Refused;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bundles_dir}: a bundle is a folder {@code <name>/} or a zip {@code <name>.zip} there.
 * {@link #poll} asks for a load of each entry of a bundle in use that is new or changed (a cheap
 * {@link #fingerprint} of names, sizes and modification times tells); without Redis, uploads are
 * {@link #keep kept} here as {@code <name>.zip} so that they survive a restart.
 */
final class BundleFolder {
    private static final Logger LOG = LoggerFactory.getLogger(BundleFolder.class);

    private final Path dir;
    private final BundleSlots slots;
    private final LoadQueue loads;
    private final BundlePreparer preparer;
    private final BundleCluster cluster;

    BundleFolder(Path dir, BundleSlots slots, LoadQueue loads, BundlePreparer preparer, BundleCluster cluster) {
        this.dir = dir;
        this.slots = slots;
        this.loads = loads;
        this.preparer = preparer;
        this.cluster = cluster;
    }

    Path dir() { return dir; }

    /** The folder or zip of {@code name}, or null. */
    Path entry(String name) { return entry(dir, name); }

    /** The folder or zip of {@code name} in {@code dir} (the folder when there are both), or null. */
    static Path entry(Path dir, String name) {
        Path folder = dir.resolve(name);
        Path zip = dir.resolve(name + ".zip");
        return Files.isDirectory(folder) ? folder : Files.isRegularFile(zip) ? zip : null;
    }

    boolean isFolder(String name) { return Files.isDirectory(dir.resolve(name)); }

    /**
     * Scans bundles_dir and asks for a load of each entry of a bundle in use that is new or changed
     * since the last scan. One scan at a time, so a change is asked for once.
     *
     * @param atStart the first scan: an upload already serving stays (the file was there before this node started)
     */
    synchronized void poll(boolean atStart) {
        if (slots.closed() || !Files.isDirectory(dir)) return;
        List<String> names;
        try {
            names = names(dir);
        } catch (IOException e) {
            LOG.debug("bundles: cannot list {}: {}", dir, e.toString());
            return;
        }
        for (String name : names) {
            try {
                Path p = entry(name);
                if (p == null) continue;
                String fp = fingerprint(p);
                // only bundles in use (an API names it, or it was uploaded) are loaded, as Tyk does
                Slot slot = slots.get(name);
                if (slot == null || fp.equals(slot.dirSeen)) continue;
                boolean uploadWins = atStart && slot.dirSeen == null;
                slot.dirSeen = fp;
                loads.submit(name, () -> loadInTurn(name, uploadWins));
            } catch (IOException | RuntimeException e) {
                LOG.debug("bundles: polling {}: {}", name, e.toString());
            }
        }
    }

    /** The bundles in {@code dir}: its folders and the names of its {@code .zip} files (hidden files and invalid names left out). */
    static List<String> names(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String f = p.getFileName().toString();
                if (f.startsWith(".")) continue;
                String n = Files.isDirectory(p) ? f : f.endsWith(".zip") ? f.substring(0, f.length() - 4) : null;
                if (n != null && BundleStore.validName(n) && !names.contains(n)) names.add(n);
            }
        }
        return names;
    }

    private void loadInTurn(String name, boolean uploadWins) {
        Slot slot = slots.get(name);
        Path p = entry(name);
        if (slot == null || p == null) return;
        BundleVersion cur = slot.current();
        if (uploadWins && cur != null && "upload".equals(cur.source())) return;
        load(name, slot, p);
    }

    /**
     * In the bundle's turn: loads the entry {@code p}, unless that same entry was loaded or refused
     * already (a scan may ask for an entry that the first load, still queued then, loads before it),
     * and reports the result to the other nodes.
     */
    void load(String name, Slot slot, Path p) {
        String current = slot.currentVersion();
        try {
            String fp = fingerprint(p);
            if (fp.equals(slot.dirLoaded)) return;
            slot.dirSeen = fp;
            slot.dirLoaded = fp;
            BundleVersion loaded = Files.isDirectory(p)
                    ? preparer.fromFolder(name, p, "bundles_dir", current)
                    : preparer.fromZip(name, Files.readAllBytes(p), "bundles_dir", current);
            if (loaded != null) slots.install(name, slot, loaded);
        } catch (Refused e) {
            slots.recordFailure(name, slot, e.getMessage(), null);
        } catch (IOException e) {
            slots.recordFailure(name, slot, "bundle \"" + name + "\": " + p + " cannot be read: " + e.getMessage(), e);
        }
        cluster.report(name, slot);
    }

    /** Writes an upload as {@code <name>.zip} (atomically), unless {@code <name>/} is a folder; failures are logged. */
    void keep(String name, Slot slot, byte[] zip) {
        if (isFolder(name)) {
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

    /** Deletes {@code <name>.zip}; a failure is logged. */
    void deleteZip(String name) {
        try {
            Files.deleteIfExists(dir.resolve(name + ".zip"));
        } catch (IOException e) {
            LOG.warn("bundle {}: cannot delete {}: {}", name, dir.resolve(name + ".zip"), e.toString());
        }
    }

    /** A cheap change detector for a bundles_dir entry: names, sizes and modification times. */
    static String fingerprint(Path path) throws IOException {
        MessageDigest md = BundlePreparer.sha256();
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
}
