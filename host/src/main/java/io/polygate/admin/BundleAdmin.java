package io.polygate.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * nodes report (seconds at most). Errors: {@link AdminError} with a 4xx status naming the problem,
 * or the store's {@link BundleStore.Refused}.
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

    Reply list() { return new Reply(200, statuses()); }

    /** {@code name} as the path gives it ({@code x.zip} is {@code x}). */
    Reply get(String name) { return new Reply(200, describe(BundleStore.normalize(name), true)); }

    /** Reloads the bundles on every node (also {@code POST /reload}, {@code POST /bundles/NAME/reload}). */
    Reply reload() {
        bundles.reload();
        ObjectNode n = JSON.createObjectNode();
        n.put("node", bundles.nodeId());
        n.set("bundles", statuses());
        return new Reply(200, n);
    }

    private ArrayNode statuses() {
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

    Reply upload(Request request) throws IOException, BundleStore.Refused {
        Fields query = Request.extractQueryParameters(request);
        String name = query.getValue("name");
        if (name == null || name.isEmpty()) throw AdminError.badField("name", "required (POST /bundles?name=NAME with the zip as the body)");
        name = BundleStore.normalize(name);
        if (request.getLength() > maxZipBytes)
            throw new AdminError(413, "bundle \"" + name + "\": zip is " + request.getLength() + " bytes, over the limit of "
                    + maxZipBytes + " bytes (bundles.max_zip_bytes)");
        byte[] zip = AdminRequests.readBytes(request, (int) Math.min(Integer.MAX_VALUE - 16, maxZipBytes));
        BundleStore.UploadResult r = bundles.upload(name, zip);
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

    /** {@code name} as the path gives it. */
    Reply delete(String pathName) throws BundleStore.Refused {
        String name = BundleStore.normalize(pathName);
        List<String> using = apisUsing(name);
        if (!using.isEmpty())
            throw new AdminError(409, "bundle \"" + name + "\" is used by API" + (using.size() == 1 ? " " : "s ")
                    + String.join(", ", using) + " (custom_middleware_bundle); change or delete " + (using.size() == 1 ? "it" : "them") + " first");
        if (!bundles.delete(name)) throw new AdminError(404, "no bundle \"" + name + "\"");
        return new Reply(200, JSON.createObjectNode().put("name", name).put("status", "deleted"));
    }
}
