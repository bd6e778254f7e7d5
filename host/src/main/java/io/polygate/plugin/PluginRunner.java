package io.polygate.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.sdk.json.Json;
import io.polygate.session.Session;
import io.polygate.config.GatewayConfig;
import io.polygate.observability.Metrics;
import io.polygate.plugin.polyglot.GuestApi;
import io.polygate.plugin.polyglot.OutboundHttp;
import io.polygate.plugin.polyglot.PolyglotLoader;
import io.polygate.sdk.bundle.BundleArchive;
import io.polygate.sdk.bundle.BundleLimits;
import io.polygate.sdk.manifest.BundleManifest;
import io.polygate.sdk.manifest.HookRef;
import io.polygate.sdk.manifest.HookType;
import io.polygate.storage.memory.MemoryStore;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.eclipse.jetty.http.HttpFields;

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
 * Exit status: 0 the hook ran, 1 it failed or timed out, 2 bad arguments or bundle.
 */
public final class PluginRunner {
    private PluginRunner() {}

    public static int main(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 3 || !args[0].equals("run")) {
            err.println("usage: polygate plugin run <bundle dir or zip> <hook> --request req.json [--data key=value ...] [--allow-http host ...] [--timeout-ms N]");
            return 2;
        }
        Path bundlePath = Path.of(args[1]);
        String hookName = args[2];
        Path requestFile = null;
        Duration timeout = Duration.ofSeconds(1);
        MemoryStore store = new MemoryStore();
        List<String> allowHttp = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            switch (args[i]) {
                case "--request" -> requestFile = Path.of(args[++i]);
                case "--timeout-ms" -> timeout = Duration.ofMillis(Long.parseLong(args[++i]));
                case "--allow-http" -> allowHttp.add(args[++i].trim().toLowerCase(java.util.Locale.ROOT));
                case "--data" -> {
                    String kv = args[++i];
                    int eq = kv.indexOf('=');
                    if (eq < 1) {
                        err.println("polygate plugin run: --data needs key=value, got \"" + kv + "\"");
                        return 2;
                    }
                    store.set(GuestApi.DATA_PREFIX + kv.substring(0, eq), kv.substring(eq + 1), null);
                }
                default -> {
                    err.println("polygate plugin run: unknown option " + args[i]);
                    return 2;
                }
            }
        }
        if (requestFile == null) {
            err.println("polygate plugin run: --request req.json is required");
            return 2;
        }
        String name = bundlePath.getFileName().toString().replaceFirst("\\.zip$", "");
        // one cold run: the outbound call may use most of the hook's limit (the gateway's default is half)
        GatewayConfig.OutboundHttpConfig http = new GatewayConfig.OutboundHttpConfig(timeout.multipliedBy(9).dividedBy(10),
                GatewayConfig.OutboundHttpConfig.DEFAULT_MAX_RESPONSE_BYTES, Map.of(name, allowHttp));
        PolyglotLoader loader = new PolyglotLoader(store, 1, timeout, new OutboundHttp(http, timeout, () -> 0, new Metrics()));
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
            HookCall call = call(req, name);
            bundle = loader.load(name, "local", dir, manifest);
            long t0 = System.nanoTime();
            try {
                bundle.invoke(hook, call);
            } catch (HookException e) {
                err.println("hook " + hook.name() + " (" + hook.type().field() + ") " + (e.kind() == HookException.Kind.TIMEOUT ? "timed out" : "failed") + ": " + e.getMessage());
                return 1;
            }
            out.printf("hook %s (%s) of bundle %s ran in %.1f ms%n", hook.name(), hook.type().field(), name, (System.nanoTime() - t0) / 1e6);
            List<String> changes = changes(call, hook.type());
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

    /** The call a sample request file describes. */
    static HookCall call(JsonNode req, String bundle) {
        HttpFields.Mutable headers = HttpFields.build();
        req.path("headers").fields().forEachRemaining(e -> headers.add(e.getKey(), e.getValue().asText()));
        JsonNode b = req.path("body");
        byte[] body = (b.isTextual() ? b.asText() : b.isMissingNode() ? "" : b.toString()).getBytes(StandardCharsets.UTF_8);
        String pathQuery = req.path("path").asText("/");
        int q = pathQuery.indexOf('?');
        Session session = req.has("session") ? SessionChanges.toSession(req.get("session")) : null;
        Map<String, Object> metadata = req.has("metadata") ? Json.MAPPER.convertValue(req.get("metadata"), Map.class) : null;
        SampleInput in = new SampleInput(headers, req.path("method").asText("GET"), q < 0 ? pathQuery : pathQuery.substring(0, q),
                q < 0 ? null : pathQuery.substring(q + 1), body, pathQuery, req.path("client_ip").asText("127.0.0.1"), session, metadata);
        ObjectNode spec = Json.MAPPER.createObjectNode();
        spec.put("APIID", req.path("api_id").asText("local"));
        spec.put("OrgID", req.path("org_id").asText(""));
        spec.put("APIName", bundle);
        spec.put("config_data", req.has("config_data") ? req.get("config_data").toString() : "{}");
        HookCall.ResponseInput response = null;
        if (req.has("response")) {
            JsonNode rr = req.get("response");
            HttpFields.Mutable rh = HttpFields.build();
            rr.path("headers").fields().forEachRemaining(e -> rh.add(e.getKey(), e.getValue().asText()));
            response = new HookCall.ResponseInput(rr.path("status_code").asInt(200), rh, rr.path("body").asText("").getBytes(StandardCharsets.UTF_8));
        }
        return new HookCall(in, new HookSpec(spec), response);
    }

    private record SampleInput(HttpFields headers, String method, String path, String query, byte[] body, String requestUri,
                               String clientIp, Session session, Map<String, Object> metadata) implements HookCall.Input {
        @Override public String scheme() { return "http"; }
    }

    /** Human-readable changes the hook made. */
    static List<String> changes(HookCall call, HookType type) {
        List<String> out = new ArrayList<>();
        HookCall.Overrides ro = call.overrides;
        if (ro != null && ro.code() > 0) {
            out.add("return_overrides: respond " + ro.code() + " "
                    + (ro.body().isEmpty() ? "error \"" + ro.error() + "\"" : "body " + ro.body())
                    + (ro.headers().isEmpty() ? "" : " headers " + HookJson.write(Json.MAPPER.valueToTree(ro.headers()))));
        }
        if (call.replacedHeaders != null) mapDiff("header", call.canonicalHeaders(), call.replacedHeaders, out);
        call.setHeaders.forEach((k, v) -> out.add("header set    " + k + ": " + v));
        call.deleteHeaders.forEach(h -> out.add("header delete " + h));
        if (call.url != null && !call.url.equals(call.url())) out.add("url    " + call.url() + " -> " + call.url);
        if (call.method != null && !call.method.equals(call.method())) out.add("method " + call.method() + " -> " + call.method);
        if (call.replacedParams != null) mapDiff("param", HookRequest.params(call.input().query()), call.replacedParams, out);
        call.addParams.forEach((k, v) -> out.add("param set    " + k + "=" + v));
        call.deleteParams.forEach(p -> out.add("param delete " + p));
        if (call.body != null) out.add("body   " + new String(call.body, StandardCharsets.UTF_8));
        if (type == HookType.RESPONSE) {
            if (call.responseStatus > 0 && call.responseStatus != call.response().status())
                out.add("response status " + call.response().status() + " -> " + call.responseStatus);
            if (call.responseHeaders != null) mapDiff("response header", call.canonicalResponseHeaders(), call.responseHeaders, out);
            if (call.responseBody != null) out.add("response body " + new String(call.responseBody, StandardCharsets.UTF_8));
        }
        if (call.sessionJson != null) {
            JsonNode sa = HookJson.read(call.sessionJson);
            JsonNode sb = call.input().session() == null ? Json.MAPPER.createObjectNode() : Json.MAPPER.valueToTree(call.input().session());
            for (Iterator<Map.Entry<String, JsonNode>> it = sa.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode old = sb.get(e.getKey());
                boolean same = old != null && (old.isNumber() && e.getValue().isNumber() ? old.asDouble() == e.getValue().asDouble() : old.equals(e.getValue()));
                if (!same && !(old == null && SessionChanges.isDefault(e.getValue()))) out.add("session." + e.getKey() + " = " + e.getValue());
            }
        }
        Map<String, Object> metadata = call.metadata != null ? call.metadata : call.input().metadata();
        if (call.metadata != null) out.add("metadata = " + HookJson.write(Json.MAPPER.valueToTree(call.metadata)));
        if (type == HookType.AUTH_CHECK) {
            Object t = metadata == null ? null : metadata.get("token");
            String token = t == null ? "" : t.toString();
            boolean refused = ro != null && ro.code() > 0;
            out.add(token.isEmpty() && !refused ? "auth: no metadata['token'] -> the gateway answers 403"
                    : token.isEmpty() ? "auth: refused by return_overrides" : "auth: authenticated as key \"" + token + "\"");
        }
        return out;
    }

    private static void mapDiff(String what, Map<String, String> before, Map<String, String> after, List<String> out) {
        for (String k : before.keySet()) if (!after.containsKey(k)) out.add(what + " delete " + k);
        after.forEach((k, v) -> {
            if (!v.equals(before.get(k))) out.add(what + " set    " + k + ": " + v);
        });
    }
}
