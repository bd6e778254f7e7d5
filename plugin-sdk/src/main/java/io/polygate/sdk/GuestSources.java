package io.polygate.sdk;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The guest-side code that plugins run against, shipped in this module's resources: the Python
 * modules ({@code tyk}, {@code tyk.decorators}, {@code gateway}, {@code polygate_runtime}) and
 * the JavaScript prelude.
 */
public final class GuestSources {
    private GuestSources() {}

    /** Python module name to source, in the order they must be created. */
    public static Map<String, String> pythonModules() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("tyk", read("python/tyk/__init__.py"));
        m.put("tyk.decorators", read("python/tyk/decorators.py"));
        m.put("gateway", read("python/gateway.py"));
        m.put("polygate_runtime", read("python/polygate_runtime.py"));
        return m;
    }

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
