package io.polygate.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.plugin.polyglot.GuestApi;
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
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
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
 * {@code --data key=value} puts {@code value} under {@code key} for {@code tyk.get_data}.
 * Exit status: 0 the hook ran, 1 it failed or timed out, 2 bad arguments or bundle.
 */
public final class PluginRunner {
    private PluginRunner() {}

    public static int main(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 3 || !args[0].equals("run")) {
            err.println("usage: polygate plugin run <bundle dir or zip> <hook> --request req.json [--data key=value ...] [--timeout-ms N]");
            return 2;
        }
        Path bundlePath = Path.of(args[1]);
        String hookName = args[2];
        Path requestFile = null;
        Duration timeout = Duration.ofSeconds(1);
        MemoryStore store = new MemoryStore();
        for (int i = 3; i < args.length; i++) {
            switch (args[i]) {
                case "--request" -> requestFile = Path.of(args[++i]);
                case "--timeout-ms" -> timeout = Duration.ofMillis(Long.parseLong(args[++i]));
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
        PolyglotLoader loader = new PolyglotLoader(store, 1, timeout);
        LoadedBundle bundle = null;
        try {
            String name = bundlePath.getFileName().toString().replaceFirst("\\.zip$", "");
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
            JsonNode req = HookState.JSON.readTree(Files.readAllBytes(requestFile));
            ObjectNode state = state(req, name);
            bundle = loader.load(name, "local", dir, manifest);
            String before = HookState.write(state);
            JsonNode after;
            long t0 = System.nanoTime();
            try {
                after = HookState.read(bundle.invoke(hook.type(), hook.name(), before));
            } catch (HookException e) {
                err.println("hook " + hook.name() + " (" + hook.type().field() + ") " + (e.kind() == HookException.Kind.TIMEOUT ? "timed out" : "failed") + ": " + e.getMessage());
                return 1;
            }
            out.printf("hook %s (%s) of bundle %s ran in %.1f ms%n", hook.name(), hook.type().field(), name, (System.nanoTime() - t0) / 1e6);
            List<String> changes = diff(state, after, hook.type());
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

    static ObjectNode state(JsonNode req, String bundle) {
        ObjectNode root = HookState.JSON.createObjectNode();
        ObjectNode r = root.putObject("request");
        ObjectNode headers = r.putObject("headers");
        req.path("headers").fields().forEachRemaining(e -> headers.put(HookState.canonical(e.getKey()), e.getValue().asText()));
        String body = req.path("body").isTextual() ? req.path("body").asText() : req.path("body").isMissingNode() ? "" : req.path("body").toString();
        if (!body.isEmpty()) {
            r.put("body", body);
            r.put("raw_body", Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8)));
        }
        String path = req.path("path").asText("/");
        r.put("url", path);
        r.put("method", req.path("method").asText("GET"));
        ObjectNode params = r.putObject("params");
        int q = path.indexOf('?');
        if (q >= 0) HookState.params(path.substring(q + 1)).forEach(params::put);
        r.put("request_uri", path);
        r.put("scheme", "http");
        r.put("client_ip", req.path("client_ip").asText("127.0.0.1"));
        root.set("session", req.has("session") ? req.get("session") : HookState.JSON.createObjectNode());
        root.set("metadata", req.has("metadata") ? req.get("metadata") : HookState.JSON.createObjectNode());
        ObjectNode spec = root.putObject("spec");
        spec.put("APIID", req.path("api_id").asText("local"));
        spec.put("OrgID", req.path("org_id").asText(""));
        spec.put("APIName", bundle);
        spec.put("config_data", req.has("config_data") ? req.get("config_data").toString() : "{}");
        if (req.has("response")) {
            ObjectNode resp = root.putObject("response");
            JsonNode rr = req.get("response");
            resp.put("status_code", rr.path("status_code").asInt(200));
            resp.set("headers", rr.path("headers").isObject() ? rr.get("headers") : HookState.JSON.createObjectNode());
            String rb = rr.path("body").asText("");
            resp.put("body", rb);
            resp.put("raw_body", Base64.getEncoder().encodeToString(rb.getBytes(StandardCharsets.UTF_8)));
        }
        return root;
    }

    /** Human-readable changes between the state given to the hook and the state it returned. */
    static List<String> diff(JsonNode before, JsonNode after, HookType type) {
        List<String> out = new ArrayList<>();
        JsonNode b = before.path("request");
        JsonNode a = after.path("request");
        JsonNode ro = a.path("return_overrides");
        if (ro.path("response_code").asInt(0) > 0) {
            out.add("return_overrides: respond " + ro.path("response_code").asInt() + " "
                    + (ro.path("response_body").asText("").isEmpty() ? "error \"" + ro.path("response_error").asText() + "\"" : "body " + ro.path("response_body").asText())
                    + (ro.path("headers").size() > 0 ? " headers " + ro.path("headers") : ""));
        }
        mapDiff("header", b.path("headers"), a.path("headers"), out);
        a.path("set_headers").fields().forEachRemaining(e -> out.add("header set    " + e.getKey() + ": " + e.getValue().asText()));
        a.path("delete_headers").forEach(h -> out.add("header delete " + h.asText()));
        if (!a.path("url").asText().equals(b.path("url").asText())) out.add("url    " + b.path("url").asText() + " -> " + a.path("url").asText());
        if (!a.path("method").asText().equals(b.path("method").asText())) out.add("method " + b.path("method").asText() + " -> " + a.path("method").asText());
        mapDiff("param", b.path("params"), a.path("params"), out);
        a.path("add_params").fields().forEachRemaining(e -> out.add("param set    " + e.getKey() + "=" + e.getValue().asText()));
        a.path("delete_params").forEach(p -> out.add("param delete " + p.asText()));
        byte[] body = HookState.newBody(a);
        if (body != null) out.add("body   " + new String(body, StandardCharsets.UTF_8));
        if (type == HookType.RESPONSE) {
            JsonNode rb = before.path("response");
            JsonNode ra = after.path("response");
            if (ra.path("status_code").asInt() != rb.path("status_code").asInt())
                out.add("response status " + rb.path("status_code").asInt() + " -> " + ra.path("status_code").asInt());
            mapDiff("response header", rb.path("headers"), ra.path("headers"), out);
            byte[] rbody = HookState.newBody(ra);
            if (rbody != null) out.add("response body " + new String(rbody, StandardCharsets.UTF_8));
        }
        JsonNode sa = after.path("session");
        JsonNode sb = before.path("session");
        for (Iterator<Map.Entry<String, JsonNode>> it = sa.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode old = sb.get(e.getKey());
            boolean same = old != null && (old.isNumber() && e.getValue().isNumber() ? old.asDouble() == e.getValue().asDouble() : old.equals(e.getValue()));
            boolean trivial = old == null && (e.getValue().isNull() || (e.getValue().isNumber() && (e.getValue().asDouble() == 0 || e.getValue().asDouble() == -1))
                    || (e.getValue().isBoolean() && !e.getValue().asBoolean()) || (e.getValue().isTextual() && e.getValue().asText().isEmpty())
                    || (e.getValue().isContainerNode() && e.getValue().isEmpty()));
            if (!same && !trivial) out.add("session." + e.getKey() + " = " + e.getValue());
        }
        if (!after.path("metadata").equals(before.path("metadata"))) out.add("metadata = " + after.path("metadata"));
        if (type == HookType.AUTH_CHECK) {
            String token = after.path("metadata").path("token").asText("");
            out.add(token.isEmpty() && ro.path("response_code").asInt(0) == 0
                    ? "auth: no metadata['token'] -> the gateway answers 403"
                    : token.isEmpty() ? "auth: refused by return_overrides" : "auth: authenticated as key \"" + token + "\"");
        }
        return out;
    }

    private static void mapDiff(String what, JsonNode before, JsonNode after, List<String> out) {
        for (Iterator<String> it = before.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!after.has(k)) out.add(what + " delete " + k);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = after.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode old = before.get(e.getKey());
            if (old == null || !old.equals(e.getValue())) out.add(what + " set    " + e.getKey() + ": " + e.getValue().asText());
        }
    }
}
