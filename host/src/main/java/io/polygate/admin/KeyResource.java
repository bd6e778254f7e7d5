package io.polygate.admin;

import static io.polygate.admin.AdminRequests.JSON;
import static io.polygate.admin.AdminRequests.parseNewSession;
import static io.polygate.admin.AdminRequests.parseSession;
import static io.polygate.admin.AdminRequests.readBody;
import static io.polygate.admin.AdminRequests.status;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.admin.AdminRequests.Reply;
import io.polygate.limit.CounterIds;
import io.polygate.limit.Limits;
import io.polygate.limit.QuotaCounter;
import io.polygate.session.Session;
import io.polygate.session.SessionStore;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.Base64;
import org.eclipse.jetty.server.Request;

/**
 * {@code /keys} and {@code /keys/{key}}: keys and their sessions, with the live quota. Keys are
 * found by their id ({@link SessionStore#id}): the key in a path is hashed on the way in, unless
 * the call says {@code ?hashed=true} (the path holds the hash, as {@code GET /keys} lists it) or
 * {@code hash_keys} is off. A key is shown once, in the answer that creates it, with its
 * {@code key_hash} when keys are hashed.
 */
final class KeyResource {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SessionStore sessions;
    private final Limits limits;

    KeyResource(SessionStore sessions, Limits limits) {
        this.sessions = sessions;
        this.limits = limits;
    }

    /** Also Tyk's {@code GET /tyk/keys}: the ids, hashes when keys are hashed. */
    Reply list() { return new Reply(200, JSON.createObjectNode().putPOJO("keys", sessions.list())); }

    /** {@code POST /keys}: a new key with a generated name. */
    Reply create(Request request) throws IOException { return createKey(newKey(), readBody(request)); }

    Reply create(String key, Request request) throws IOException { return createKey(key, readBody(request)); }

    /** {@code key}: as in the path, a key or (with {@code ?hashed=true}) its hash; so in the three below. */
    Reply get(Request request, String key) {
        Session s = keyDetail(id(request, key));
        if (s == null) throw noKey(key);
        return new Reply(200, s);
    }

    Reply replace(Request request, String key) throws IOException {
        Session s = parseSession(readBody(request));
        String id = id(request, key);
        if (!sessions.exists(id)) throw noKey(key);
        sessions.save(id, s);
        return new Reply(200, status(key, "modified"));
    }

    Reply delete(Request request, String key) {
        if (!sessions.delete(id(request, key))) throw noKey(key);
        return new Reply(200, status(key, "deleted"));
    }

    /** The id of the key a path names: the path's text itself with {@code ?hashed=true}, else the key's id. */
    String id(Request request, String pathKey) {
        return "true".equals(Request.extractQueryParameters(request).getValue("hashed")) ? pathKey : sessions.id(pathKey);
    }

    /** The answer to a key's creation: the key (shown only here) and, when keys are hashed, Tyk's {@code key_hash}. */
    ObjectNode added(String key) {
        ObjectNode body = status(key, "added");
        return sessions.hashesKeys() ? body.put("key_hash", sessions.id(key)) : body;
    }

    private static AdminError noKey(String key) { return new AdminError(404, "no key \"" + SessionStore.redact(key) + "\""); }

    /**
     * The session of the key with id {@code id} with its own quota as the limiter counts it (the
     * stored session keeps what it was created with); null if there is no such key.
     */
    Session keyDetail(String id) {
        Session s = sessions.find(id);
        if (s == null || limits.quota() == null || s.quota_max <= 0) return s;
        QuotaCounter.Result q = limits.quota().peek(CounterIds.quota(id, null), s.quota_max);
        if (q == null) return s;
        s.quota_remaining = q.remaining();
        if (q.renewsAtMillis() > 0) s.quota_renews = q.renewsAtMillis() / 1000;
        return s;
    }

    private Reply createKey(String key, String body) {
        if (key.isBlank() || key.length() > 256 || !key.chars().allMatch(c -> c > 32 && c < 127))
            throw new AdminError(400, "key: must be 1..256 visible ASCII characters");
        Session s = parseNewSession(body);
        if (!sessions.create(sessions.id(key), s)) throw new AdminError(409, "key \"" + SessionStore.redact(key) + "\" already exists (use PUT to change it)");
        return new Reply(201, added(key));
    }

    private static String newKey() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
