package io.polygate.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.sdk.json.Json;
import io.polygate.sdk.manifest.HookType;
import io.polygate.session.Session;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;

/**
 * A hook call on a sample request instead of a live one (for {@code polygate plugin run}): the call
 * a request file describes, and what the hook changed on it, as lines a person reads.
 */
public final class SampleCall {
    private SampleCall() {}

    /** The call a sample request file describes. */
    public static HookCall from(JsonNode req, String bundle) {
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
    public static List<String> changes(HookCall call, HookType type) {
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
