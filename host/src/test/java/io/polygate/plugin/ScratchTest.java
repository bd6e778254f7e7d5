package io.polygate.plugin;

import io.polygate.plugin.polyglot.PolyglotLoader;
import io.polygate.sdk.manifest.BundleManifest;
import io.polygate.sdk.manifest.HookType;
import io.polygate.storage.memory.MemoryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScratchTest {
    @Test
    void smoke() throws Exception {
        MemoryStore store = new MemoryStore(java.time.InstantSource.system());
        store.set("coprocess-data:x", "42", null);
        PolyglotLoader loader = new PolyglotLoader(store, 1, Duration.ofSeconds(1));
        String state = "{\"request\":{\"headers\":{\"Key\":\"foo\"},\"url\":\"/x\",\"method\":\"GET\"},\"session\":{},\"metadata\":{},\"spec\":{\"APIID\":\"a\"}}";
        for (String b : new String[] {"smoke-js", "smoke-py"}) {
            Path dir = Path.of("src/test/resources/bundles/" + b);
            BundleManifest m = BundleManifest.parse(b, Files.readAllBytes(dir.resolve("manifest.json")));
            long t0 = System.nanoTime();
            LoadedBundle lb = loader.load(b, "v1", dir, m);
            System.out.println(b + " loaded in " + (System.nanoTime() - t0) / 1e6 + " ms; impl " + loader.engines().implementation(m.customMiddleware().driver()));
            for (var h : m.customMiddleware().pre()) System.out.println(lb.invoke(HookType.PRE, h.name(), state));
        }
    }
}
