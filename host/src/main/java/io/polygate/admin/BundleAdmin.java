package io.polygate.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.admin.AdminRequests.AdminError;
import io.polygate.admin.AdminRequests.Reply;
import io.polygate.assembly.ApiRegistry;
import io.polygate.bundle.BundleStatus;
import io.polygate.bundle.BundleStore;
import io.polygate.config.ApiDefinition;
import java.io.IOException;
import java.util.List;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's {@code /bundles}: {@code GET /bundles}, {@code POST /bundles?name=NAME} (the
 * zip as the body), {@code GET /bundles/NAME}, {@code DELETE /bundles/NAME} (409 while an API uses
 * it), {@code POST /bundles/reload} (also {@code POST /reload}) and {@code POST /bundles/NAME/reload}.
 *
 * <p>Threading: called on admin request threads; an upload blocks while the bundle loads and the
 * nodes report (seconds at most). Errors: {@link AdminError} with a 4xx status naming the problem.
 */
final class BundleAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(BundleAdmin.class);
    private static final ObjectMapper JSON = io.polygate.sdk.json.Json.MAPPER;

    private final BundleStore bundles;
    private final ApiRegistry apis;
    private final long maxZipBytes;

    BundleAdmin(BundleStore bundles, ApiRegistry apis, long maxZipBytes) {
        this.bundles = bundles;
        this.apis = apis;
        this.maxZipBytes = maxZipBytes;
    }

    Reply route(Request request, String method, String[] seg) throws IOException {
        if (seg.length == 1) {
            if (method.equals("GET")) return new Reply(200, list());
            if (method.equals("POST")) return upload(request);
            throw AdminRequests.methodNotAllowed(method, "GET, POST");
        }
        if (seg.length == 2 && seg[1].equals("reload")) {
            if (method.equals("POST")) return reload();
            throw AdminRequests.methodNotAllowed(method, "POST");
        }
        if (seg.length == 2) {
            String name = BundleStore.normalize(seg[1]);
            if (method.equals("GET")) return new Reply(200, describe(name, true));
            if (method.equals("DELETE")) return delete(name);
            throw AdminRequests.methodNotAllowed(method, "GET, DELETE");
        }
        if (seg.length == 3 && seg[2].equals("reload")) {
            if (!method.equals("POST")) throw AdminRequests.methodNotAllowed(method, "POST");
            return reload();
        }
        return null;
    }

    Reply reload() {
        bundles.reload();
        ObjectNode n = JSON.createObjectNode();
        n.put("node", bundles.nodeId());
        n.set("bundles", list());
        return new Reply(200, n);
    }

    private ArrayNode list() {
        ArrayNode out = JSON.createArrayNode();
        for (BundleStatus st : bundles.list()) out.add(describe(st.name(), false));
        return out;
    }

    private ObjectNode describe(String name, boolean single) {
        if (single && !bundles.known(name) && bundles.storedInfo(name) == null)
            throw new AdminError(404, "no bundle \"" + name + "\"");
        BundleStatus st = bundles.status(name);
        ObjectNode n = JSON.createObjectNode();
        n.put("name", st.name());
        n.put("version", st.version());
        n.put("status", st.state());
        n.put("driver", st.driver());
        n.put("source", st.source());
        n.put("loaded_at", st.loadedAt() == null ? null : st.loadedAt().toString());
        n.put("last_error", st.error());
        n.put("last_error_at", st.errorAt() == null ? null : st.errorAt().toString());
        // the names GET /bundles used before uploads existed
        n.put("state", st.state());
        n.put("error", st.error());
        ArrayNode used = n.putArray("apis");
        for (String api : apisUsing(name)) used.add(api);
        if (single) n.set("nodes", JSON.valueToTree(nodeList(name)));
        return n;
    }

    private List<ObjectNode> nodeList(String name) {
        return bundles.nodes(name).stream().map(ns -> {
            ObjectNode o = JSON.createObjectNode().put("node", ns.node()).put("version", ns.version()).put("status", ns.state());
            if (ns.error() != null) o.put("error", ns.error());
            if (ns.at() != null) o.put("at", ns.at().toString());
            return o;
        }).toList();
    }

    private List<String> apisUsing(String name) {
        return apis.list().stream()
                .filter(a -> a.customMiddlewareBundle() != null && BundleStore.normalize(a.customMiddlewareBundle()).equals(name))
                .map(ApiDefinition::apiId).sorted().toList();
    }

    private Reply upload(Request request) throws IOException {
        Fields query = Request.extractQueryParameters(request);
        String name = query.getValue("name");
        if (name == null || name.isEmpty()) throw new AdminError(400, "name: required (POST /bundles?name=NAME with the zip as the body)");
        name = BundleStore.normalize(name);
        if (request.getLength() > maxZipBytes)
            throw new AdminError(413, "bundle \"" + name + "\": zip is " + request.getLength() + " bytes, over the limit of "
                    + maxZipBytes + " bytes (bundles.max_zip_bytes)");
        byte[] zip = AdminRequests.readBytes(request, (int) Math.min(Integer.MAX_VALUE - 16, maxZipBytes));
        BundleStore.UploadResult r;
        try {
            r = bundles.upload(name, zip);
        } catch (BundleStore.Refused e) {
            throw refused(e);
        }
        LOG.info("bundle {}: upload of {} bytes: version {}{}", name, zip.length, r.status().version(), r.changed() ? "" : " (unchanged)");
        ObjectNode n = describe(name, false);
        n.put("changed", r.changed());
        n.put("previous_version", r.previousVersion());
        n.set("nodes", JSON.valueToTree(r.nodes().stream().map(ns -> {
            ObjectNode o = JSON.createObjectNode().put("node", ns.node()).put("version", ns.version()).put("status", ns.state());
            if (ns.error() != null) o.put("error", ns.error());
            return o;
        }).toList()));
        ArrayNode loaded = n.putArray("loaded_on");
        r.nodes().stream().filter(ns -> ns.state().equals("ready")).forEach(ns -> loaded.add(ns.node()));
        return new Reply(r.changed() ? 201 : 200, n);
    }

    private Reply delete(String name) {
        List<String> using = apisUsing(name);
        if (!using.isEmpty())
            throw new AdminError(409, "bundle \"" + name + "\" is used by API" + (using.size() == 1 ? " " : "s ")
                    + String.join(", ", using) + " (custom_middleware_bundle); change or delete " + (using.size() == 1 ? "it" : "them") + " first");
        try {
            if (!bundles.delete(name)) throw new AdminError(404, "no bundle \"" + name + "\"");
        } catch (BundleStore.Refused e) {
            throw refused(e);
        }
        return new Reply(200, JSON.createObjectNode().put("name", name).put("status", "deleted"));
    }

    /** The admin API's answer to a refused upload or delete. */
    private static AdminError refused(BundleStore.Refused e) {
        int status = switch (e.reason) {
            case INVALID -> 400;
            case TOO_LARGE -> 413;
            case IN_BUNDLES_DIR -> 409;
            case STORE_UNREACHABLE, STOPPING -> 503;
            case UNPACK_FAILED -> 500;
        };
        return new AdminError(status, e.getMessage());
    }
}
