package io.polygate.sdk;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The guest-side code that plugins run against, shipped in this module's resources: the Python
 * runtime (which also creates the modules plugins import: {@code tyk.decorators}, {@code gateway})
 * and the JavaScript prelude. Each is evaluated in every context from one cached Source, so that
 * contexts share its compiled code.
 */
public final class GuestSources {
    private GuestSources() {}

    /** Defines {@code __polygate_runtime(host, bundle_dir)}, which returns {@code (resolve, caller, warm)}. */
    public static String pythonRuntime() { return read("python/polygate_runtime.py"); }

    public static String jsPrelude() { return read("js/prelude.js"); }

    private static String read(String name) {
        try (InputStream in = GuestSources.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("plugin-sdk resource missing: " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
