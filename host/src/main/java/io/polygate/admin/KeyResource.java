package io.polygate.admin;

import static io.polygate.admin.AdminRequests.JSON;
import static io.polygate.admin.AdminRequests.parseSession;
import static io.polygate.admin.AdminRequests.readBody;
import static io.polygate.admin.AdminRequests.status;

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

/** {@code /keys} and {@code /keys/{key}}: keys and their sessions, with the live quota. */
final class KeyResource {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SessionStore sessions;
    private final Limits limits;

    KeyResource(SessionStore sessions, Limits limits) {
        this.sessions = sessions;
        this.limits = limits;
    }

    /** Also Tyk's {@code GET /tyk/keys}. */
    Reply list() { return new Reply(200, JSON.createObjectNode().putPOJO("keys", sessions.list())); }

    /** {@code POST /keys}: a new key with a generated name. */
    Reply create(Request request) throws IOException { return createKey(newKey(), readBody(request)); }

    Reply create(String key, Request request) throws IOException { return createKey(key, readBody(request)); }

    Reply get(String key) {
        Session s = keyDetail(key);
        if (s == null) throw noKey(key);
        return new Reply(200, s);
    }

    Reply replace(String key, Request request) throws IOException {
        Session s = parseSession(readBody(request));
        if (!sessions.exists(key)) throw noKey(key);
        sessions.save(key, s);
        return new Reply(200, status(key, "modified"));
    }

    Reply delete(String key) {
        if (!sessions.delete(key)) throw noKey(key);
        return new Reply(200, status(key, "deleted"));
    }

    private static AdminError noKey(String key) { return new AdminError(404, "no key \"" + SessionStore.redact(key) + "\""); }

    /**
     * The key's session with its own quota as the limiter counts it (the stored session keeps what
     * it was created with); null if there is no such key.
     */
    Session keyDetail(String key) {
        Session s = sessions.find(key);
        if (s == null || limits.quota() == null || s.quota_max <= 0) return s;
        QuotaCounter.Result q = limits.quota().peek(CounterIds.quota(key, null), s.quota_max);
        if (q == null) return s;
        s.quota_remaining = q.remaining();
        if (q.renewsAtMillis() > 0) s.quota_renews = q.renewsAtMillis() / 1000;
        return s;
    }

    private Reply createKey(String key, String body) {
        if (key.isBlank() || key.length() > 256 || !key.chars().allMatch(c -> c > 32 && c < 127))
            throw new AdminError(400, "key: must be 1..256 visible ASCII characters");
        Session s = parseSession(body);
        if (!sessions.create(key, s)) throw new AdminError(409, "key \"" + SessionStore.redact(key) + "\" already exists (use PUT to change it)");
        return new Reply(201, status(key, "added"));
    }

    private static String newKey() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
