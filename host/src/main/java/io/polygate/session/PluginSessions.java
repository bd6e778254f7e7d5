package io.polygate.session;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sessions {@code auth_check} hooks build, kept in the {@link SessionStore} under their token's
 * id ({@link #id}) as Tyk keeps them ({@code SessionManager.UpdateSession(token, ...)}): the admin
 * API's {@code GET /keys/{token}} shows them and {@code DELETE /keys/{token}} removes them. The
 * other methods take that id (named {@code token} below).
 *
 * <p>A session is written only when it differs from the one this node last wrote for the token,
 * so an {@code auth_check} that builds the same session on every request costs one serialisation
 * and no store write. {@link #changedElsewhere} tells a change of the stored key (the admin API,
 * any store client) from a write of the same session (this node's own, or another node's that
 * built the same session). Sessions are compared without {@code last_updated}. A session with a
 * lifetime ({@link SessionLifetime}) is written again once half of it has passed, so a token in
 * use stays stored: it is gone between half its lifetime and all of it after its last request.
 * Thread-safe; bounded ({@value #MAX_ENTRIES} tokens remembered: forgetting one costs a rewrite).
 */
public final class PluginSessions {
    static final int MAX_ENTRIES = 100_000;

    /** The session this node last wrote for a token, as JSON without its write time, and when to write it again (if it expires). */
    private record Written(String content, boolean expires, long refreshAtNanos) {
        boolean current(String c, long now) { return content.equals(c) && (!expires || now - refreshAtNanos < 0); }
    }

    private final SessionStore sessions;
    private final Map<String, Written> written = new ConcurrentHashMap<>();

    public PluginSessions(SessionStore sessions) { this.sessions = sessions; }

    /** The id a hook's token is stored under ({@link SessionStore#id}). */
    public String id(String token) { return sessions.id(token); }

    /** Stores {@code session}, built on a request to {@code apiId}, under {@code token} unless this node already stored the same session there. */
    public void keep(String token, Session session, String apiId) {
        String content = content(session);
        long now = System.nanoTime();
        Written before = written.get(token);
        if (before != null && before.current(content, now)) return;
        if (written.size() >= MAX_ENTRIES) forgetSome();
        // remembered before the write: the feed's notice of it may come before the write returns
        Written mine = new Written(content, false, 0);
        written.put(token, mine);
        Duration ttl = sessions.save(token, session, apiId);
        if (ttl != null) written.replace(token, mine, new Written(content, true, now + ttl.toNanos() / 2));
    }

    /**
     * The stored key {@code token} changed: true when it now differs from the session this node
     * wrote (or is gone, or this node wrote none), and then the token is forgotten so the next
     * session built for it is written again. Reads the store only for tokens this node wrote.
     */
    public boolean changedElsewhere(String token) {
        Written mine = written.get(token);
        if (mine == null) return true;
        Session now;
        try {
            now = sessions.find(token);
        } catch (IllegalStateException e) {
            now = null;
        }
        if (now != null && mine.content().equals(content(now))) return false;
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
