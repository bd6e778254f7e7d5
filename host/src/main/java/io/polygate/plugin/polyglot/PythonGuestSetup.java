package io.polygate.plugin.polyglot;

import io.polygate.sdk.GuestSources;
import io.polygate.sdk.manifest.BundleManifest;
import io.polygate.sdk.manifest.ManifestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.FileSystem;
import org.graalvm.polyglot.io.IOAccess;

/**
 * A Python bundle in a context: the bundle's {@code file_list} files read-only (nothing else in its
 * folder is visible or importable), plugin-sdk's polygate_runtime.py, the files imported as Tyk does.
 */
final class PythonGuestSetup implements GuestSetup {
    /** A Python bundle's folder of vendored packages (their files in {@code file_list}), put on {@code sys.path} after the bundle's own folder. */
    static final String VENDOR_DIR = "vendor";
    private static final String MANIFEST = "manifest.json";
    /** Defines {@code __polygate_runtime(host, bundle_dir)}; see plugin-sdk's polygate_runtime.py. */
    private static final Source RUNTIME =
            Source.newBuilder("python", GuestSources.pythonRuntime(), "polygate_runtime.py").cached(true).buildLiteral();

    @Override
    public void configure(Context.Builder builder, Path dir) throws IOException {
        RootedReadOnlyFileSystem files = new RootedReadOnlyFileSystem(dir, listedFiles(dir));
        builder.allowIO(IOAccess.newBuilder().fileSystem(FileSystem.allowInternalResourceAccess(files)).build());
    }

    /** The {@code file_list} of the bundle's manifest, which was verified when the bundle was prepared. */
    private static List<String> listedFiles(Path dir) throws IOException {
        try {
            return BundleManifest.parse(String.valueOf(dir.getFileName()), Files.readAllBytes(dir.resolve(MANIFEST))).fileList();
        } catch (ManifestException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public Value installRuntime(Context ctx, GuestApi api, Path dir) {
        Value runtime = ctx.eval(RUNTIME).execute(api, importPath(dir));
        ctx.getBindings("python").removeMember("__polygate_runtime");
        return runtime;
    }

    @Override
    public Runtime loadBundle(Context ctx, Value runtime, Path dir, List<Source> sources) {
        Value main = ctx.getBindings("python");
        for (Source s : sources) {
            // as when Tyk imports the file: plugins find their bundle's files through __file__
            main.putMember("__file__", dir.resolve(s.getName()).toString());
            ctx.eval(s);
        }
        return new Runtime(runtime.getArrayElement(0), runtime.getArrayElement(2), runtime.getArrayElement(1));
    }

    /**
     * Where the plugin's imports look first, one folder a line: the bundle's folder, then its
     * {@code vendor/} folder (pure-Python packages) when it has one.
     */
    private static String importPath(Path dir) {
        Path vendor = dir.resolve(VENDOR_DIR);
        return Files.isDirectory(vendor) ? dir + "\n" + vendor : dir.toString();
    }
}
