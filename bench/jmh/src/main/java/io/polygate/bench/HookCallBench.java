package io.polygate.bench;

import io.polygate.config.GatewayConfig;
import io.polygate.observability.Metrics;
import io.polygate.plugin.HookCall;
import io.polygate.plugin.LoadedBundle;
import io.polygate.plugin.polyglot.OutboundHttp;
import io.polygate.plugin.polyglot.PolyglotLoader;
import io.polygate.sdk.manifest.BundleManifest;
import io.polygate.sdk.manifest.HookRef;
import io.polygate.storage.memory.MemoryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What one hook call costs, without HTTP: loads a bundle with the gateway's plugin runtime (one
 * context), then calls its first hook on a sample request from one thread and prints the calls
 * per second of each second from the moment the bundle is live, so the warm-up shows too.
 * Run by {@code bench/hook-call.sh}; not a JMH benchmark because the warm-up is the point.
 *
 * <pre>HookCallBench BUNDLE_DIR SECONDS</pre>
 */
public final class HookCallBench {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int seconds = Integer.parseInt(args[1]);
        BundleManifest manifest = BundleManifest.parse(dir.getFileName().toString(), Files.readAllBytes(dir.resolve("manifest.json")));
        HookRef hook = manifest.customMiddleware().all().get(0);
        PolyglotLoader loader = new PolyglotLoader(new MemoryStore(), new GatewayConfig.PluginsConfig(Duration.ofSeconds(10), Duration.ofSeconds(60), 0, 0, 1, null),
                OutboundHttp.denyAll(Duration.ofSeconds(10)), new Metrics());
        try {
            long t0 = System.nanoTime();
            LoadedBundle bundle = loader.load(dir.getFileName().toString(), "bench", dir, manifest);
            System.out.printf("%s: live %.1f s after the load started; hook %s (%s)%n", dir.getFileName(),
                    (System.nanoTime() - t0) / 1e9, hook.name(), hook.type().field());
            StringBuilder line = new StringBuilder("calls/s per second:");
            long best = 0;
            for (int s = 0; s < seconds; s++) {
                long end = System.nanoTime() + 1_000_000_000L;
                long n = 0;
                while (System.nanoTime() < end) {
                    bundle.invoke(hook, HookCall.sample());
                    n++;
                }
                line.append(' ').append(n);
                best = Math.max(best, n);
            }
            System.out.println(line);
            System.out.printf("best second: %d calls/s = %.1f us per call%n", best, 1e6 / best);
            bundle.close();
        } finally {
            loader.close();
        }
        System.exit(0);
    }
}
