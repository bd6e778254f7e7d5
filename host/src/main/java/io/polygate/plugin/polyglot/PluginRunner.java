package io.polygate.plugin.polyglot;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.sdk.json.Json;
import io.polygate.config.GatewayConfig;
import io.polygate.observability.Metrics;
import io.polygate.plugin.HookCall;
import io.polygate.plugin.HookException;
import io.polygate.plugin.LoadedBundle;
import io.polygate.plugin.SampleCall;
import io.polygate.sdk.bundle.BundleArchive;
import io.polygate.sdk.bundle.BundleLimits;
import io.polygate.sdk.manifest.BundleManifest;
import io.polygate.sdk.manifest.HookRef;
import io.polygate.storage.memory.MemoryStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code polygate plugin run <bundle> <hook> --request req.json}: runs one hook of a bundle on a
 * sample request, with the real plugin runtime and an in-memory store but no gateway, and prints
 * what the hook changed. The request file:
 *
 * <pre>
 * { "method": "GET", "path": "/anything?x=1", "headers": {"Key": "foo"}, "body": "",
 *   "session": {...}, "metadata": {...}, "config_data": {...},
 *   "response": {"status_code": 200, "headers": {...}, "body": "..."} }   (response hooks only)
 * </pre>
 *
 * {@code --data key=value} puts {@code value} under {@code key} for {@code tyk.get_data};
 * {@code --allow-http host} lets the hook's {@code TykMakeHttpRequest} / {@code TykBatchRequest}
 * call that host ({@code host}, {@code host:port} or {@code *.domain}, as in
 * {@code plugins.outbound_http.allow}; repeatable). Without it outbound calls are refused.
 * The command line itself is parsed by {@code io.polygate.cli}.
 * Exit status: 0 the hook ran, 1 it failed or timed out, 2 bad arguments or bundle.
 */
public final class PluginRunner {
    private PluginRunner() {}

    /**
     * Runs hook {@code hookName} of the bundle folder or zip {@code bundlePath} on the request in
     * {@code requestFile}; {@code data}: what {@code tyk.get_data} finds; {@code allowHttp}: the
     * hosts the hook may call. Returns the exit status.
     */
    public static int run(Path bundlePath, String hookName, Path requestFile, Map<String, String> data, List<String> allowHttp,
                          Duration timeout, PrintStream out, PrintStream err) {
        MemoryStore store = new MemoryStore();
        data.forEach((key, value) -> store.set(GuestApi.DATA_PREFIX + key, value, null));
        List<String> hosts = allowHttp.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).toList();
        String name = bundlePath.getFileName().toString().replaceFirst("\\.zip$", "");
        // one cold run: the outbound call may use most of the hook's limit (the gateway's default is half)
        GatewayConfig.OutboundHttpConfig http = new GatewayConfig.OutboundHttpConfig(timeout.multipliedBy(9).dividedBy(10),
                GatewayConfig.OutboundHttpConfig.DEFAULT_MAX_RESPONSE_BYTES, Map.of(name, hosts));
        Metrics metrics = new Metrics();
        PolyglotLoader loader = new PolyglotLoader(store, new GatewayConfig.PluginsConfig(timeout, GatewayConfig.PluginsConfig.DEFAULT_LOAD_TIMEOUT,
                GatewayConfig.PluginsConfig.DEFAULT_MAX_HEAP_SHARE, GatewayConfig.PluginsConfig.DEFAULT_MEMORY_STRIKES, 1, http), new OutboundHttp(http, timeout, () -> 0, metrics), metrics);
        LoadedBundle bundle = null;
        try {
            Path dir = bundlePath;
            if (Files.isRegularFile(bundlePath)) {
                dir = Files.createTempDirectory("polygate-plugin-run").resolve(name);
                BundleArchive.extract(name, bundlePath, dir, BundleLimits.defaults());
            }
            BundleManifest manifest = BundleManifest.parse(name, Files.readAllBytes(dir.resolve("manifest.json")));
            HookRef hook = manifest.customMiddleware().all().stream().filter(h -> h.name().equals(hookName)).findFirst().orElse(null);
            if (hook == null) {
                err.println("polygate plugin run: bundle \"" + name + "\" names no hook \"" + hookName + "\" in its manifest; it has "
                        + manifest.customMiddleware().all().stream().map(h -> h.name() + " (" + h.type().field() + ")").toList());
                return 2;
            }
            JsonNode req = Json.MAPPER.readTree(Files.readAllBytes(requestFile));
            HookCall call = SampleCall.from(req, name);
            bundle = loader.load(name, "local", dir, manifest);
            long t0 = System.nanoTime();
            try {
                bundle.invoke(hook, call);
            } catch (HookException e) {
                err.println("hook " + hook.name() + " (" + hook.type().field() + ") " + (e.kind() == HookException.Kind.TIMEOUT ? "timed out" : "failed") + ": " + e.getMessage());
                return 1;
            }
            out.printf("hook %s (%s) of bundle %s ran in %.1f ms%n", hook.name(), hook.type().field(), name, (System.nanoTime() - t0) / 1e6);
            List<String> changes = SampleCall.changes(call, hook.type());
            if (changes.isEmpty()) out.println("no changes");
            changes.forEach(c -> out.println("  " + c));
            for (String k : new TreeSet<>(store.keys(GuestApi.DATA_PREFIX))) out.println("  store " + k + " = " + store.get(k));
            return 0;
        } catch (Exception e) {
            err.println("polygate plugin run: " + e.getMessage());
            return 2;
        } finally {
            if (bundle != null) bundle.close();
            loader.close();
        }
    }
}
