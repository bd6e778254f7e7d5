package io.polygate.auth;

import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.session.BasicAuthData;
import io.polygate.session.PolicyStore;
import io.polygate.session.Session;
import io.polygate.session.SessionStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Base64;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tyk's basic auth: {@code Authorization: Basic base64(username:password)}. The username is the
 * key: its session is looked up by {@link SessionStore#id}{@code (username)} and its
 * {@code basic_auth_data} checked ({@link BasicAuthData#matches}: bcrypt, tens of milliseconds,
 * then taken from {@link VerifiedPasswords} for {@code basic_auth.cache_ttl}); then the session is
 * checked as key auth checks it. The request is authenticated as that key; {@code $authn.sub} is the username. Missing header, unknown user or
 * wrong password: 401 with {@code WWW-Authenticate: Basic realm="<API name>"}; a header that is no
 * basic credential: 400; an inactive or expired user, or one without access to the API: 403.
 * Messages follow Tyk's.
 */
public final class BasicAuthStep implements AuthMethod {
    public static final String MALFORMED = "Attempted access with malformed header, header not in basic auth format.";
    public static final String NOT_AUTHORISED = "User not authorised";
    private static final Logger LOG = LoggerFactory.getLogger(BasicAuthStep.class);

    private final String apiId;
    private final SessionStore sessions;
    private final PolicyStore policies;
    private final InstantSource clock;
    private final HttpFields challenge;
    private final VerifiedPasswords verified;

    /**
     * @param realm    shown to the client in {@code WWW-Authenticate} (Tyk: the API's name)
     * @param cacheTtl how long a verified password is taken without a bcrypt check ({@link VerifiedPasswords}); zero: never
     */
    public BasicAuthStep(String apiId, String realm, Duration cacheTtl, SessionStore sessions, PolicyStore policies, InstantSource clock) {
        this.apiId = apiId;
        this.verified = new VerifiedPasswords(cacheTtl, clock);
        this.sessions = sessions;
        this.policies = policies;
        this.clock = clock;
        String quoted = realm.replace("\\", "\\\\").replace("\"", "\\\"");
        this.challenge = HttpFields.build().add(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"" + quoted + "\"").asImmutable();
    }

    @Override public String name() { return "basic-auth"; }

    @Override public boolean mayBlock() { return true; } // bcrypt takes tens of milliseconds

    @Override
    public Attempt attempt(Exchange exchange) {
        String value = exchange.headers().get(HttpHeader.AUTHORIZATION);
        if (value == null || value.isBlank()) return Attempt.absent(Outcome.error(401, KeyAuthStep.MISSING, challenge));
        String v = value.trim();
        // another scheme is no basic credential (the API's other methods may know it); alone, basic auth answers 400
        if (!v.regionMatches(true, 0, "Basic ", 0, 6)) return Attempt.absent(Outcome.error(400, MALFORMED));
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(v.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Attempt.refused(Outcome.error(400, MALFORMED));
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) return Attempt.refused(Outcome.error(400, MALFORMED));
        String username = decoded.substring(0, colon);
        String id = sessions.id(username);
        Session session = sessions.find(id);
        if (session == null || session.basic_auth_data == null || !matches(session.basic_auth_data, decoded.substring(colon + 1))) {
            LOG.info("api={} basic auth refused for user {}: {}", apiId, SessionStore.redact(username),
                    session == null ? "no such user" : session.basic_auth_data == null ? "the key has no basic_auth_data" : "wrong password");
            return Attempt.refused(Outcome.error(401, NOT_AUTHORISED, challenge));
        }
        String refusal = KeyAuthStep.refusal(session, apiId, clock.millis() / 1000, policies);
        if (refusal != null) return Attempt.refused(Outcome.error(403, refusal));
        exchange.authenticate(id, session);
        exchange.metadata().put("sub", username);
        return Attempt.AUTHENTICATED;
    }

    private boolean matches(BasicAuthData stored, String password) {
        if (!BasicAuthData.BCRYPT.equals(stored.hash_type)) return stored.matches(password);
        if (verified.contains(stored.password, password)) return true;
        if (!stored.matches(password)) return false;
        verified.add(stored.password, password);
        return true;
    }
}
