package io.polygate.auth;

import io.polygate.session.Policy;
import io.polygate.session.PolicyStore;
import io.polygate.session.Session;
import io.polygate.session.SessionStore;
import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import java.time.InstantSource;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Built-in key authentication: the key is read from the API's auth header (a {@code Bearer }
 * prefix is dropped), its session looked up in the store by its id ({@link SessionStore#id}: the
 * key's hash unless {@code hash_keys} is off) and checked; the request is authenticated as that
 * id, so counters and logs never carry the key itself. A remote store (Redis) is read without
 * holding the thread: the request waits for the reply suspended. Missing key: 401; unknown,
 * inactive or expired key, or a key without access to this API: 403. Messages follow Tyk's.
 */
public final class KeyAuthStep implements AuthMethod {
    public static final String MISSING = "Authorization field missing";
    public static final String UNKNOWN = "Access to this API has been disallowed";
    public static final String INACTIVE = "Key is inactive, please renew";
    public static final String EXPIRED = "Key has expired, please renew";

    private final String header;
    private final SessionStore sessions;
    private final SessionAdmission admission;

    /** @param policies where {@code apply_policies} are looked up: a policy's access rights count as the key's; may be null */
    public KeyAuthStep(String apiId, String header, SessionStore sessions, InstantSource clock, PolicyStore policies) {
        this.header = header;
        this.sessions = sessions;
        this.admission = new SessionAdmission(apiId, policies, clock);
    }

    @Override public String name() { return "key-auth"; }

    /** A remote store is read without holding the thread ({@link #attemptAsync}). */
    @Override public boolean mayBlock() { return false; }

    @Override
    public CompletionStage<Attempt> attemptAsync(Exchange exchange) {
        String key = keyFrom(exchange.headers().get(header));
        if (key == null) return AuthMethod.decided(Attempt.absent(Outcome.error(401, MISSING)));
        return authenticateAsync(exchange, key);
    }

    /**
     * Authenticates the request as {@code key}'s session, or says why it may not call the API
     * (403): one store read for the session, one for each of its policies not cached
     * ({@link SessionAdmission}).
     */
    CompletionStage<Attempt> authenticateAsync(Exchange exchange, String key) {
        String id = sessions.id(key);
        return sessions.findAsync(id).thenCompose(session -> session == null
                ? AuthMethod.decided(Attempt.unrecognised(Outcome.error(403, UNKNOWN)))
                : admission.admit(exchange, id, session));
    }

    /** Why a session may not call {@code apiId} now, or null if it may. Shared with plugin auth. */
    public static String check(Session session, String apiId, long nowSeconds) {
        if (session.is_inactive) return INACTIVE;
        if (session.expires > 0 && session.expires <= nowSeconds) return EXPIRED;
        if (session.access_rights == null || !session.access_rights.containsKey(apiId)) return Session.NO_ACCESS;
        return null;
    }

    /**
     * Why a stored key may not call {@code apiId} now, its policies' access rights counting as its
     * own, or null if it may; {@code policies} gives the policy of an id (null: none), may be null.
     */
    static String refusal(Session session, String apiId, long nowSeconds, Function<String, Policy> policies) {
        String refusal = check(session, apiId, nowSeconds);
        return refusal == Session.NO_ACCESS && grantedByPolicy(session, apiId, policies) ? null : refusal;
    }

    /** Whether an active policy the key applies grants {@code apiId} (Tyk: keys made from policies carry no rights of their own). */
    static boolean grantedByPolicy(Session session, String apiId, PolicyStore policies) {
        return grantedByPolicy(session, apiId, policies == null ? null : policies::find);
    }

    private static boolean grantedByPolicy(Session session, String apiId, Function<String, Policy> policies) {
        if (policies == null) return false;
        for (String id : session.policyIds()) {
            Policy p = policies.apply(id);
            if (p != null && p.active && p.access_rights != null && p.access_rights.containsKey(apiId)) return true;
        }
        return false;
    }

    static String keyFrom(String headerValue) {
        if (headerValue == null) return null;
        String v = headerValue.trim();
        if (v.regionMatches(true, 0, "Bearer ", 0, 7)) v = v.substring(7).trim();
        return v.isEmpty() ? null : v;
    }
}
