package io.polygate.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.config.JwtSpec;
import io.polygate.session.Policy;
import io.polygate.session.PolicyStore;
import io.polygate.session.Session;
import io.polygate.session.SessionStore;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tyk's JWT auth ({@code enable_jwt}): the token is read from the API's JWT header (a
 * {@code Bearer } prefix is dropped) and verified ({@link JwtVerifier}); the caller is the
 * {@code jwt_identity_base_field} claim, else {@code sub}; the policies are those the
 * {@code jwt_policy_field_name} claim names (a string or a list), else {@code jwt_default_policies}.
 * As in Tyk, the token derives a session per identity: it applies those policies, which must exist,
 * be active, and one of them grant this API; the request is authenticated as the identity's id
 * ({@link SessionStore#id} of {@value #ID_PREFIX}{@code <identity>}), so rate limits and quotas
 * count per identity across all its tokens. The session is built per request, not stored. Every
 * claim is readable as {@code $authn.<claim>} (the exchange metadata).
 *
 * <p>Missing token (or a basic auth credential in its place): 401; expired, not yet valid: 401; not a JWT, {@code alg} of another family or
 * {@code none}, bad signature, unknown {@code kid}, no identity, no usable policy: 403; JWKS
 * unreachable: 503. Messages follow Tyk's; the log line says exactly what was wrong.
 */
public final class JwtAuthStep implements AuthMethod {
    static final String ID_PREFIX = "jwt:";
    static final String NO_IDENTITY = "Key not authorized: no identity claim in the token";
    static final String NO_POLICY = "Key not authorized: no matching policy found";
    private static final Logger LOG = LoggerFactory.getLogger(JwtAuthStep.class);

    private final String apiId;
    private final JwtSpec spec;
    private final JwtVerifier verifier;
    private final SessionStore sessions;
    private final PolicyStore policies;
    private final boolean mayBlock;

    public JwtAuthStep(String apiId, JwtSpec spec, SessionStore sessions, PolicyStore policies, InstantSource clock) {
        this.apiId = apiId;
        this.spec = spec;
        this.verifier = new JwtVerifier(spec, clock);
        this.sessions = sessions;
        this.policies = policies;
        this.mayBlock = spec.source() instanceof JwtSpec.JwksUrl;
    }

    @Override public String name() { return "jwt-auth"; }

    /** A JWKS fetch blocks; the token's policies are read from a shared store without holding the thread. */
    @Override public boolean mayBlock() { return mayBlock; }

    @Override
    public CompletionStage<Attempt> attemptAsync(Exchange exchange) {
        String token = KeyAuthStep.keyFrom(exchange.headers().get(spec.header()));
        if (token == null || token.regionMatches(true, 0, "Basic ", 0, 6)) return AuthMethod.decided(Attempt.absent(Outcome.error(401, KeyAuthStep.MISSING)));
        JWTClaimsSet claims;
        try {
            claims = verifier.verify(token);
        } catch (JwtVerifier.Refusal r) {
            LOG.info("api={} JWT refused: {}{}", apiId, r.getMessage(), r.detail == null ? "" : " (" + r.detail + ")");
            Outcome answer = Outcome.error(r.status, r.getMessage());
            return AuthMethod.decided(r.recognised ? Attempt.refused(answer) : Attempt.unrecognised(answer));
        }
        String identity = text(claims.getClaim(spec.identityBaseField() != null ? spec.identityBaseField() : "sub"));
        if (identity == null && spec.identityBaseField() != null) identity = text(claims.getClaim("sub"));
        if (identity == null) return AuthMethod.decided(refuse(NO_IDENTITY, spec.identityBaseField() == null ? "no sub" : "neither " + spec.identityBaseField() + " nor sub"));
        List<String> ids = policyIds(claims);
        if (ids.isEmpty()) return AuthMethod.decided(refuse(NO_POLICY, "the token names none and the API has no jwt_default_policies"));
        if (policies == null) return AuthMethod.decided(refuse(NO_POLICY, "policy \"" + ids.get(0) + "\" does not exist"));
        String id = identity;
        return policies.findAllAsync(ids).thenApply(read -> decide(exchange, claims, id, ids, read));
    }

    /** Authenticates the token's identity with its policies, all of which must exist and be active, one granting this API. */
    private Attempt decide(Exchange exchange, JWTClaimsSet claims, String identity, List<String> ids, Map<String, Policy> read) {
        boolean granted = false;
        for (String id : ids) {
            Policy p = read.get(id);
            if (p == null || !p.active) return refuse(NO_POLICY, "policy \"" + id + "\" " + (p == null ? "does not exist" : "is inactive"));
            granted |= p.access_rights != null && p.access_rights.containsKey(apiId);
        }
        if (!granted) return refuse(Session.NO_ACCESS, "no policy of " + ids + " grants this API");
        Session session = new Session();
        session.apply_policies = ids;
        session.alias = identity;
        exchange.authenticate(sessions.id(ID_PREFIX + identity), session, read);
        Map<String, Object> metadata = exchange.metadata();
        claims.toJSONObject().forEach((name, value) -> { if (value != null) metadata.put(name, value); });
        return Attempt.AUTHENTICATED;
    }

    private Attempt refuse(String message, String detail) {
        LOG.info("api={} JWT refused: {} ({})", apiId, message, detail);
        return Attempt.refused(Outcome.error(403, message));
    }

    /** The policies the token names ({@code jwt_policy_field_name}: a string or a list of them), else the API's defaults. */
    private List<String> policyIds(JWTClaimsSet claims) {
        Object claim = spec.policyFieldName() == null ? null : claims.getClaim(spec.policyFieldName());
        List<String> ids = new ArrayList<>();
        if (claim instanceof String s && !s.isBlank()) ids.add(s);
        else if (claim instanceof List<?> list) for (Object o : list) if (o instanceof String s && !s.isBlank()) ids.add(s);
        return ids.isEmpty() ? spec.defaultPolicies() : ids;
    }

    private static String text(Object claim) {
        if (claim == null) return null;
        String s = claim.toString();
        return s.isBlank() ? null : s;
    }
}
