package io.polygate.plugin.polyglot;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.graalvm.polyglot.io.FileSystem;

/**
 * The guest's file system: reads of the bundle's checksummed files only. Every write, and every
 * path outside the root, is refused with a {@link SecurityException} (Python sees a
 * PermissionError); a file inside the root that {@code file_list} does not name (so no checksum or
 * signature covers it) does not exist for the guest: it is not listed, opened or imported (Python
 * sees a FileNotFoundError, and {@code import json} finds the standard library's).
 */
final class RootedReadOnlyFileSystem implements FileSystem {
    private final FileSystem delegate = FileSystem.newDefaultFileSystem();
    private final Path root;
    /** The listed files and the folders on their way from the root, absolute and normalised. */
    private final Set<Path> visible = new HashSet<>();

    /** {@code listed}: the manifest's {@code file_list}, relative to {@code root}. */
    RootedReadOnlyFileSystem(Path root, Collection<String> listed) throws IOException {
        this.root = root.toRealPath();
        visible.add(this.root);
        for (String name : listed) {
            Path p = this.root.resolve(name).normalize();
            while (p.startsWith(this.root) && visible.add(p)) p = p.getParent();
        }
    }

    private Path check(Path path) throws IOException {
        Path abs = delegate.toAbsolutePath(path).normalize();
        if (!abs.startsWith(root)) throw new SecurityException("Operation not permitted: " + path + " is outside the plugin bundle");
        if (!visible.contains(abs)) throw new NoSuchFileException(path.toString());
        try {
            Path real = abs.toRealPath();
            if (!real.startsWith(root)) throw new SecurityException("Operation not permitted: " + path + " is outside the plugin bundle");
        } catch (NoSuchFileException e) {
            // a missing file inside the root: let the delegate report it
        }
        return abs;
    }

    private static SecurityException readOnly(Path path) {
        return new SecurityException("Operation not permitted: the plugin bundle is read-only (" + path + ")");
    }

    @Override public Path parsePath(URI uri) { return delegate.parsePath(uri); }

    @Override public Path parsePath(String path) { return delegate.parsePath(path); }

    @Override
    public void checkAccess(Path path, Set<? extends AccessMode> modes, LinkOption... linkOptions) throws IOException {
        if (modes.contains(AccessMode.WRITE) || modes.contains(AccessMode.EXECUTE)) throw readOnly(path);
        delegate.checkAccess(check(path), modes, linkOptions);
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) { throw readOnly(dir); }

    @Override
    public void delete(Path path) { throw readOnly(path); }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        for (OpenOption o : options) {
            if (o != StandardOpenOption.READ && o != LinkOption.NOFOLLOW_LINKS) throw readOnly(path);
        }
        return delegate.newByteChannel(check(path), options, attrs);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
        return delegate.newDirectoryStream(check(dir), entry -> visible.contains(entry.toAbsolutePath().normalize()) && filter.accept(entry));
    }

    @Override public Path toAbsolutePath(Path path) { return delegate.toAbsolutePath(path); }

    @Override
    public Path toRealPath(Path path, LinkOption... linkOptions) throws IOException {
        return delegate.toRealPath(check(path), linkOptions);
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        return delegate.readAttributes(check(path), attributes, options);
    }
}
