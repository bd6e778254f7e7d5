package io.polygate.auth;

import io.polygate.auth.AuthMethod.Attempt;
import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.session.Policy;
import io.polygate.session.PolicyStore;
import io.polygate.session.Session;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The last part of auth by a stored key (key auth, an mTLS fingerprint, basic auth): the found
 * session's policies are read without holding the thread (cached ones at once), the session is
 * checked against the API as key auth checks it (403 naming why not), and the exchange is
 * authenticated with the session and those policies, so later steps need not read them again.
 */
final class SessionAdmission {
    private final String apiId;
    private final PolicyStore policies;
    private final InstantSource clock;

    /** @param policies where {@code apply_policies} are looked up; null: nowhere (a policy's rights never count) */
    SessionAdmission(String apiId, PolicyStore policies, InstantSource clock) {
        this.apiId = apiId;
        this.policies = policies;
        this.clock = clock;
    }

    CompletionStage<Attempt> admit(Exchange exchange, String id, Session session) {
        CompletionStage<Map<String, Policy>> read = policies == null
                ? CompletableFuture.completedFuture(Map.of()) : policies.findAllAsync(session.policyIds());
        return read.thenApply(sessionPolicies -> {
            String refusal = KeyAuthStep.refusal(session, apiId, clock.millis() / 1000, sessionPolicies::get);
            if (refusal != null) return Attempt.refused(Outcome.error(403, refusal));
            exchange.authenticate(id, session, sessionPolicies);
            return Attempt.AUTHENTICATED;
        });
    }
}
