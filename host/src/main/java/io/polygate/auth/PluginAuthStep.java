package io.polygate.auth;

import io.polygate.session.PluginSessions;
import io.polygate.session.Policy;
import io.polygate.session.PolicyStore;
import io.polygate.session.Session;
import io.polygate.session.SessionCache;
import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.chain.Phase;
import io.polygate.chain.Step;
import io.polygate.plugin.DataReads;
import io.polygate.plugin.HookCall;
import io.polygate.plugin.HookException;
import io.polygate.plugin.HookSpec;
import io.polygate.plugin.RequestChanges;
import io.polygate.plugin.SessionChanges;
import io.polygate.plugin.LoadedBundle;
import io.polygate.plugin.PluginFailures;
import io.polygate.sdk.manifest.HookRef;
import java.time.InstantSource;

/**
 * Authentication by a bundle's {@code auth_check} hook (Tyk's coprocess auth). The hook gets the
 * request, an empty session, the metadata and the spec, and fills the session in; if it sets
 * {@code metadata['token']} the request is authenticated as that key with that session. As in
 * Tyk, the metadata the hook returns is merged into the session's {@code meta_data} (later hooks,
 * {@code $tyk_meta.*} and the stored key see it), the session is kept in the store under the
 * token's id like any key ({@link PluginSessions}; the token's hash unless {@code hash_keys} is
 * off) and the request is authenticated as that id, and its policies ({@code apply_policies},
 * {@code apply_policy_id}) apply: their access rights here, their rate and quota in the LIMIT
 * phase, where the quota is counted per token across requests. No token: 403. An exception in
 * the hook: 403 with an error id. {@code return_overrides} with a code: that answer. A request a
 * {@link SessionCacheStep} already authenticated from the cache skips the hook.
 *
 * <p>With an {@code id_extractor}, the session is cached under the extracted id until its
 * {@code id_extractor_deadline}, or until a plugin data key the hook read ({@code get_data})
 * changes ({@link SessionCache#invalidateData}).
 */
public final class PluginAuthStep implements Step {
    public static final String NOT_AUTHORISED = "Key not authorised";

    /**
     * What every plugin-auth step of a gateway shares: the id extractor's session cache, where
     * built sessions are stored, the policies they may apply (null: none), the clock.
     */
    public record Shared(SessionCache cache, PluginSessions sessions, PolicyStore policies, InstantSource clock) {}

    private final String apiId;
    private final LoadedBundle bundle;
    private final HookRef hook;
    private final HookSpec spec;
    private final SessionCache cache;
    private final PluginSessions sessions;
    private final PolicyStore policies;
    private final InstantSource clock;

    public PluginAuthStep(String apiId, LoadedBundle bundle, HookRef hook, HookSpec spec, Shared shared) {
        this.apiId = apiId;
        this.bundle = bundle;
        this.hook = hook;
        this.spec = spec;
        this.cache = shared.cache();
        this.sessions = shared.sessions();
        this.policies = shared.policies();
        this.clock = shared.clock();
    }

    @Override public String name() { return "plugin-auth:" + bundle.name() + ":" + hook.name(); }

    @Override public Phase phase() { return Phase.AUTH; }

    /** The hook call waits for a context; a request its cached session authenticated skips it. */
    @Override public boolean mayBlock(Exchange exchange) { return exchange.session() == null; }

    @Override
    public Outcome apply(Exchange exchange) {
        if (exchange.session() != null) return Outcome.CONTINUE;
        HookCall call = HookCall.of(exchange, null, spec, null);
        long mark = cache.mark();
        try {
            bundle.invoke(hook, call);
        } catch (HookException e) {
            return PluginFailures.respond(bundle, hook, exchange, e, 403);
        }
        java.util.Set<String> dataKeys = DataReads.of(call);
        Outcome.Respond respond = RequestChanges.apply(call, exchange);
        if (respond != null) return respond;
        Object token = exchange.metadata().get("token");
        if (token == null || token.toString().isEmpty()) return Outcome.error(403, NOT_AUTHORISED);
        Session session = SessionChanges.builtSession(call);
        if (session.meta_data == null) session.meta_data = new java.util.LinkedHashMap<>();
        session.meta_data.putAll(exchange.metadata());
        long now = clock.millis() / 1000;
        String refusal = refusal(session, now);
        if (refusal != null) return Outcome.error(403, refusal);
        String keyId = sessions == null ? token.toString() : sessions.id(token.toString());
        exchange.authenticate(keyId, session);
        if (sessions != null) sessions.keep(keyId, session, apiId);
        String id = exchange.extractedId();
        if (id != null) cache.put(apiId, id, keyId, session, now, dataKeys, mark);
        return Outcome.CONTINUE;
    }

    /**
     * Why a plugin-built session may not be used now, or null. Its policies' access rights count
     * as its own; unlike stored keys, a session without any access rights (its own or its
     * policies') may call every API (Tyk's rule for sessions without access rights).
     */
    String refusal(Session s, long now) {
        String refusal = KeyAuthStep.check(s, apiId, now);
        if (refusal != Session.NO_ACCESS) return refusal;
        if (KeyAuthStep.grantedByPolicy(s, apiId, policies)) return null;
        boolean noRights = (s.access_rights == null || s.access_rights.isEmpty()) && !policiesGrantRights(s);
        return noRights ? null : refusal;
    }

    private boolean policiesGrantRights(Session s) {
        if (policies == null) return false;
        for (String id : s.policyIds()) {
            Policy p = policies.find(id);
            if (p != null && p.active && p.access_rights != null && !p.access_rights.isEmpty()) return true;
        }
        return false;
    }
}
