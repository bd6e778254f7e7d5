package io.polygate.session;

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
 * and no store write. {@link #changedElsewhere} tells a change of the stored key (the admin API,
 * any store client) from a write of the same session (this node's own, or another node's that
 * built the same session). Sessions are compared without {@code last_updated}.
 * Thread-safe; bounded ({@value #MAX_ENTRIES} tokens remembered: forgetting one costs a rewrite).
 */
public final class PluginSessions {
    static final int MAX_ENTRIES = 100_000;

    private final SessionStore sessions;
    /** token -> the session this node last wrote for it, as JSON without its write time. */
    private final Map<String, String> written = new ConcurrentHashMap<>();

    public PluginSessions(SessionStore sessions) { this.sessions = sessions; }

    /** Stores {@code session} under {@code token} unless this node already stored the same session there. */
    public void keep(String token, Session session) {
        String content = content(session);
        if (content.equals(written.get(token))) return;
        if (written.size() >= MAX_ENTRIES) forgetSome();
        // remembered before the write: the feed's notice of it may come before the write returns
        written.put(token, content);
        sessions.save(token, session);
    }

    /**
     * The stored key {@code token} changed: true when it now differs from the session this node
     * wrote (or is gone, or this node wrote none), and then the token is forgotten so the next
     * session built for it is written again. Reads the store only for tokens this node wrote.
     */
    public boolean changedElsewhere(String token) {
        String mine = written.get(token);
        if (mine == null) return true;
        Session now;
        try {
            now = sessions.find(token);
        } catch (IllegalStateException e) {
            now = null;
        }
        if (now != null && mine.equals(content(now))) return false;
        written.remove(token, mine);
        return true;
    }

    private static String content(Session s) {
        long lastUpdated = s.last_updated;
        s.last_updated = 0;
        try {
            return SessionStore.toJson(s);
        } finally {
            s.last_updated = lastUpdated;
        }
    }

    private void forgetSome() {
        Iterator<String> it = written.keySet().iterator();
        for (int i = 0; i < MAX_ENTRIES / 10 && it.hasNext(); i++) {
            it.next();
            it.remove();
        }
    }
}
