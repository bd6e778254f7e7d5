package io.polygate.auth;

import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.chain.Phase;
import io.polygate.chain.Step;

/**
 * A built-in way to authenticate a request (key, JWT, basic auth) that says, beside its answer,
 * how far it got, so that {@link FirstOfAuthStep} can try several and answer the failure that
 * explains most. A method that succeeds has authenticated the exchange
 * ({@link Exchange#authenticate}); one that fails has left it unchanged.
 */
public interface AuthMethod extends Step {

    /** How far an attempt got. */
    enum Verdict {
        /** The exchange is authenticated; the outcome is {@link Outcome#CONTINUE}. */
        AUTHENTICATED,
        /** The request carries no credential of this method (its header is missing). */
        ABSENT,
        /** There is something in the method's place, but not a credential it knows (an unknown key, a value that is no JWT). */
        UNRECOGNISED,
        /** The request's credential is this method's and was refused (expired, bad signature, wrong password). */
        REFUSED
    }

    /** What one attempt decided; {@code outcome} is the answer the client gets when this method alone decides. */
    record Attempt(Verdict verdict, Outcome outcome) {
        public static final Attempt AUTHENTICATED = new Attempt(Verdict.AUTHENTICATED, Outcome.CONTINUE);

        public static Attempt absent(Outcome answer) { return new Attempt(Verdict.ABSENT, answer); }

        public static Attempt unrecognised(Outcome answer) { return new Attempt(Verdict.UNRECOGNISED, answer); }

        public static Attempt refused(Outcome answer) { return new Attempt(Verdict.REFUSED, answer); }
    }

    /** Tries to authenticate; same threading and blocking contract as {@link Step#apply}. */
    Attempt attempt(Exchange exchange) throws Exception;

    @Override default Outcome apply(Exchange exchange) throws Exception { return attempt(exchange).outcome(); }

    @Override default Phase phase() { return Phase.AUTH; }
}
