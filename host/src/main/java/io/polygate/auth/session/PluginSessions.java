package io.polygate.auth.session;

import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sessions {@code auth_check} hooks build, kept in the {@link SessionStore} under their token
 * as Tyk keeps them ({@code SessionManager.UpdateSession(token, ...)}): the admin API's
 * {@code GET /keys/{token}} shows them and {@code DELETE /keys/{token}} removes them.
 *
 * <p>A session is written only when it differs from the one this node last wrote for the token,
 * so an {@code auth_check} that builds the same session on every request costs one serialisation
 * and no store write. {@link #changedElsewhere} tells the change feed's notice of this node's own
 * write from a change made by someone else (the admin API, another node, any store client).
 * Thread-safe; bounded ({@value #MAX_ENTRIES} tokens remembered: forgetting one costs a rewrite).
 */
public final class PluginSessions {
    static final int MAX_ENTRIES = 100_000;

    /** What this node wrote for a token: the session without its write time, and the stored JSON. */
    private record Written(String content, String stored) {}

    private final SessionStore sessions;
    private final Map<String, Written> written = new ConcurrentHashMap<>();

    public PluginSessions(SessionStore sessions) { this.sessions = sessions; }

    /** Stores {@code session} under {@code token} unless this node already stored the same session there. */
    public void keep(String token, Session session) {
        long lastUpdated = session.last_updated;
        session.last_updated = 0;
        String content = SessionStore.toJson(session);
        session.last_updated = lastUpdated;
        Written w = written.get(token);
        if (w != null && w.content.equals(content)) return;
        if (written.size() >= MAX_ENTRIES) forgetSome();
        session.last_updated = Instant.now().getEpochSecond();
        String stored = SessionStore.toJson(session);
        // remembered before the write: the feed's notice of it may come before the write returns
        written.put(token, new Written(content, stored));
        sessions.saveJson(token, stored, session);
    }

    /**
     * The stored key {@code token} changed: true when the change is not this node's own write (the
     * key now differs from what was written, or is gone), and then the token is forgotten so the
     * next session built for it is written again. Reads the store only for tokens this node wrote.
     */
    public boolean changedElsewhere(String token) {
        Written w = written.get(token);
        if (w == null) return true;
        String now = sessions.findJson(token);
        if (w.stored.equals(now)) return false;
        written.remove(token, w);
        return true;
    }

    private void forgetSome() {
        Iterator<String> it = written.keySet().iterator();
        for (int i = 0; i < MAX_ENTRIES / 10 && it.hasNext(); i++) {
            it.next();
            it.remove();
        }
    }
}
