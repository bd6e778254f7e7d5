package io.polygate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.admin.AdminRequests.Reply;
import io.polygate.assembly.ApiRegistry;
import io.polygate.config.ApiDefinition;
import io.polygate.session.Policy;
import io.polygate.session.PolicyStore;
import io.polygate.session.Session;
import io.polygate.session.SessionStore;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import org.eclipse.jetty.server.Request;

/**
 * The {@code /tyk/...} paths of the admin API, answering as Tyk's Gateway API does (gateway/api.go):
 * the same paths, methods, status codes and bodies, errors as {@code {"status":"error","message":...}}
 * with Tyk's message (followed by {@code ": "} and what exactly was wrong, where Polygate knows). The
 * stores are the ones the Polygate paths use; only the answers differ (docs/configuration.md).
 *
 * <pre>
 * POST /tyk/keys/create   GET|POST /tyk/keys   GET|POST|PUT|DELETE /tyk/keys/{key}
 * GET|POST /tyk/apis      GET|PUT|DELETE /tyk/apis/{id}
 * GET|POST /tyk/policies  GET|PUT|DELETE /tyk/policies/{id}
 * GET /tyk/reload         GET /tyk/reload/group
 * </pre>
 */
final class TykGatewayApi {
    static final String FORBIDDEN = "Attempted administrative access with invalid or missing key!";
    private static final String MALFORMED = "Request malformed";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ApiRegistry apis;
    private final SessionStore sessions;
    private final PolicyStore policies;
    /** Keys by the id a path names, their session as GET shows it (live quota), the answer to a creation. */
    private final KeyResource keys;
    /** What {@code /tyk/reload} runs (as {@code POST /reload} does). */
    private final Runnable reload;

    /** @param policies null: there is no policy store, and no {@code /tyk/policies} */
    TykGatewayApi(ApiRegistry apis, SessionStore sessions, PolicyStore policies, KeyResource keys, Runnable reload) {
        this.apis = apis;
        this.sessions = sessions;
        this.policies = policies;
        this.keys = keys;
        this.reload = reload;
    }

    /** Whether the call is to a {@code /tyk} path, answered (and refused) in Tyk's shape. */
    static boolean isTykPath(Request request) {
        String path = request.getHttpURI().getCanonicalPath();
        return path != null && (path.equals("/tyk") || path.startsWith("/tyk/"));
    }

    /** Tyk's error body. */
    static ObjectNode error(String message) { return status("error", message); }

    /** {@code GET /tyk/reload} and {@code /tyk/reload/group}. */
    Reply reload() {
        reload.run();
        return new Reply(200, status("ok", ""));
    }

    // ---- keys -------------------------------------------------------------------------------------

    /** {@code key}: as in the path, a key or (Tyk's {@code ?hashed=true}) its hash; so in PUT and DELETE. */
    Reply getKey(Request request, String key) {
        Session s = keys.keyDetail(keys.id(request, key));
        if (s == null) throw new AdminError(404, "Key not found");
        return new Reply(200, s);
    }

    /** {@code POST} (Tyk: creates the key or replaces it) and {@code PUT} ({@code replace}) of {@code /tyk/keys/{key}}. */
    Reply saveKey(String key, Request request, boolean replace) throws IOException {
        if (key.isBlank() || key.length() > 256 || !key.chars().allMatch(c -> c > 32 && c < 127))
            throw new AdminError(400, MALFORMED + ": the key must be 1..256 visible ASCII characters");
        Session s = session(request, 400, MALFORMED, !replace);
        String id = replace ? keys.id(request, key) : sessions.id(key);
        if (replace && !sessions.exists(id)) throw new AdminError(404, "Key is not found");
        if (!hasAccessRights(s)) throw new AdminError(500, "Failed to create key, ensure security settings are correct.");
        sessions.save(id, s);
        return new Reply(200, replace ? AdminRequests.status(key, "modified") : keys.added(key));
    }

    Reply deleteKey(Request request, String key) {
        if (!sessions.delete(keys.id(request, key))) throw new AdminError(404, "There is no such key found");
        return new Reply(200, AdminRequests.status(key, "deleted"));
    }

    /** Tyk's createKeyHandler: a generated key ({@code org_id} followed by 32 hex digits, Tyk's form without key hashing), with its {@code key_hash}. */
    Reply createKey(Request request) throws IOException {
        Session s = session(request, 500, "Unmarshalling failed", true);
        if (!hasAccessRights(s)) throw new AdminError(400, "Failed to create key, keys must have at least one Access Rights record set.");
        String key;
        do {
            key = (s.org_id == null ? "" : s.org_id) + HexFormat.of().formatHex(randomBytes());
        } while (!sessions.create(sessions.id(key), s));
        return new Reply(200, keys.added(key));
    }

    /** Tyk refuses keys that name no API (its {@code allow_master_keys} is off by default); policies may name them. */
    private static boolean hasAccessRights(Session s) {
        return (s.access_rights != null && !s.access_rights.isEmpty()) || !s.policyIds().isEmpty();
    }

    /** {@code created}: the key is new, so a basic auth password is hashed (Tyk hashes on POST only). */
    private static Session session(Request request, int status, String tykMessage, boolean created) throws IOException {
        try {
            String body = AdminRequests.readBody(request);
            return created ? AdminRequests.parseNewSession(body) : AdminRequests.parseSession(body);
        } catch (AdminError e) {
            throw asTyk(e, status, tykMessage);
        }
    }

    // ---- APIs -------------------------------------------------------------------------------------

    /** Tyk: without {@code api_id} one is generated; an existing id is replaced. */
    Reply createApi(Request request) throws IOException {
        ObjectNode body = json(request);
        JsonNode id = body.get("api_id");
        if (id == null || id.isNull() || id.asText().isEmpty()) body.put("api_id", HexFormat.of().formatHex(randomBytes()));
        ApiDefinition api = parseApi(body);
        if (apis.get(api.apiId()) == null) apis.create(api);
        else apis.update(api);
        return new Reply(200, AdminRequests.status(api.apiId(), "added"));
    }

    Reply getApi(String id) {
        ApiDefinition api = apis.get(id);
        if (api == null) throw new AdminError(404, "API not found");
        return new Reply(200, api.source());
    }

    Reply replaceApi(String id, Request request) throws IOException {
        if (apis.get(id) == null) throw new AdminError(404, "API not found");
        ObjectNode body = json(request);
        if (!id.equals(body.path("api_id").asText()))
            throw new AdminError(400, "Request APIID does not match that in Definition! For Update operations these must match.");
        apis.update(parseApi(body));
        return new Reply(200, AdminRequests.status(id, "modified"));
    }

    Reply deleteApi(String id) {
        if (!apis.delete(id)) throw new AdminError(404, "API not found");
        return new Reply(200, AdminRequests.status(id, "deleted"));
    }

    private static ApiDefinition parseApi(ObjectNode body) {
        try {
            return AdminRequests.parseApi(body);
        } catch (AdminError e) {
            throw asTyk(e, 400, null);
        }
    }

    // ---- policies ---------------------------------------------------------------------------------

    Reply policies() {
        return new Reply(200, policies.list().stream().map(policies::find).filter(Objects::nonNull).toList());
    }

    /** Tyk: an existing id is replaced. */
    Reply createPolicy(Request request) throws IOException {
        Policy p = policy(request, null);
        policies.save(p);
        return new Reply(200, AdminRequests.status(p.id, "added"));
    }

    Reply getPolicy(String id) {
        Policy p = policies.find(id);
        if (p == null) throw new AdminError(404, "Policy not found");
        return new Reply(200, p);
    }

    Reply replacePolicy(String id, Request request) throws IOException {
        policies.save(policy(request, id));
        return new Reply(200, AdminRequests.status(id, "modified"));
    }

    Reply deletePolicy(String id) {
        if (!policies.delete(id)) throw new AdminError(500, "Delete failed: no policy \"" + id + "\"");
        return new Reply(200, AdminRequests.status(id, "deleted"));
    }

    /** {@code pathId}: the id a PUT names, which the body's {@code id} must repeat (Tyk). */
    private static Policy policy(Request request, String pathId) throws IOException {
        ObjectNode body = json(request);
        if (pathId != null && !pathId.equals(body.path("id").asText()))
            throw new AdminError(400, "Request ID does not match that in policy! For Update operations these must match.");
        try {
            return AdminRequests.parsePolicy(body.toString(), null);
        } catch (AdminError e) {
            throw asTyk(e, 400, MALFORMED);
        }
    }

    // ---- shared -----------------------------------------------------------------------------------

    private static ObjectNode json(Request request) throws IOException {
        try {
            return (ObjectNode) AdminRequests.readJson(request);
        } catch (AdminError e) {
            throw asTyk(e, 400, MALFORMED);
        }
    }

    /** A Polygate refusal of a bad body, as Tyk words it: {@code tykMessage: what was wrong}. Too large stays 413. */
    private static AdminError asTyk(AdminError e, int status, String tykMessage) {
        if (e.status != 400) return e;
        return new AdminError(status, tykMessage == null ? e.getMessage() : tykMessage + ": " + e.getMessage());
    }

    private static ObjectNode status(String status, String message) {
        return AdminRequests.JSON.createObjectNode().put("status", status).put("message", message);
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return b;
    }
}
