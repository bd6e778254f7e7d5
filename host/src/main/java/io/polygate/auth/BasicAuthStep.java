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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tyk's basic auth: {@code Authorization: Basic base64(username:password)}. The username is the
 * key: its session is looked up by {@link SessionStore#id}{@code (username)} and its
 * {@code basic_auth_data} checked ({@link BasicAuthData#matches}: bcrypt, tens of milliseconds,
 * then taken from {@link VerifiedPasswords} for {@code basic_auth.cache_ttl}); then the session is
 * checked as key auth checks it. The session and its policies are read without holding the thread
 * (as key auth reads them); a bcrypt check runs on {@code bcryptExecutor}, never on the store's I/O thread. The request is authenticated as that key; {@code $authn.sub} is the username. Missing header, unknown user or
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
    private final SessionAdmission admission;
    private final HttpFields challenge;
    private final VerifiedPasswords verified;
    private final Executor bcryptExecutor;

    /**
     * @param realm    shown to the client in {@code WWW-Authenticate} (Tyk: the API's name)
     * @param cacheTtl       how long a verified password is taken without a bcrypt check ({@link VerifiedPasswords}); zero: never
     * @param bcryptExecutor where a bcrypt check runs (threads that may block: it takes tens of milliseconds)
     */
    public BasicAuthStep(String apiId, String realm, Duration cacheTtl, SessionStore sessions, PolicyStore policies, InstantSource clock,
                         Executor bcryptExecutor) {
        this.apiId = apiId;
        this.bcryptExecutor = bcryptExecutor;
        this.verified = new VerifiedPasswords(cacheTtl, clock);
        this.sessions = sessions;
        this.admission = new SessionAdmission(apiId, policies, clock);
        String quoted = realm.replace("\\", "\\\\").replace("\"", "\\\"");
        this.challenge = HttpFields.build().add(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"" + quoted + "\"").asImmutable();
    }

    @Override public String name() { return "basic-auth"; }

    /** The store is read without holding the thread and bcrypt runs on its executor: the thread that applies the step never waits. */
    @Override public boolean mayBlock() { return false; }

    @Override
    public CompletionStage<Attempt> attemptAsync(Exchange exchange) {
        String value = exchange.headers().get(HttpHeader.AUTHORIZATION);
        if (value == null || value.isBlank()) return AuthMethod.decided(Attempt.absent(Outcome.error(401, KeyAuthStep.MISSING, challenge)));
        String v = value.trim();
        // another scheme is no basic credential (the API's other methods may know it); alone, basic auth answers 400
        if (!v.regionMatches(true, 0, "Basic ", 0, 6)) return AuthMethod.decided(Attempt.absent(Outcome.error(400, MALFORMED)));
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(v.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return AuthMethod.decided(Attempt.refused(Outcome.error(400, MALFORMED)));
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) return AuthMethod.decided(Attempt.refused(Outcome.error(400, MALFORMED)));
        String username = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        String id = sessions.id(username);
        return sessions.findAsync(id).thenCompose(session -> {
            if (session == null || session.basic_auth_data == null) return AuthMethod.decided(wrongCredentials(username, session == null ? "no such user" : "the key has no basic_auth_data"));
            BasicAuthData stored = session.basic_auth_data;
            if (!BasicAuthData.BCRYPT.equals(stored.hash_type)) return checked(exchange, username, id, session, stored.matches(password));
            if (verified.contains(stored.password, password)) return checked(exchange, username, id, session, true);
            return CompletableFuture.supplyAsync(() -> bcryptMatches(stored, password), bcryptExecutor)
                    .thenCompose(matches -> checked(exchange, username, id, session, matches));
        });
    }

    /** Once the password was checked: the session admitted as key auth admits it ({@link SessionAdmission}). */
    private CompletionStage<Attempt> checked(Exchange exchange, String username, String id, Session session, boolean passwordMatches) {
        if (!passwordMatches) return AuthMethod.decided(wrongCredentials(username, "wrong password"));
        return admission.admit(exchange, id, session).thenApply(attempt -> {
            if (attempt == Attempt.AUTHENTICATED) exchange.metadata().put("sub", username);
            return attempt;
        });
    }

    private Attempt wrongCredentials(String username, String why) {
        LOG.info("api={} basic auth refused for user {}: {}", apiId, SessionStore.redact(username), why);
        return Attempt.refused(Outcome.error(401, NOT_AUTHORISED, challenge));
    }

    /** A bcrypt check, remembered when it matches. */
    private boolean bcryptMatches(BasicAuthData stored, String password) {
        if (!stored.matches(password)) return false;
        verified.add(stored.password, password);
        return true;
    }
}
