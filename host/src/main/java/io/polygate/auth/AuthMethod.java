package io.polygate.auth;

import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.chain.Phase;
import io.polygate.chain.Step;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

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

    /**
     * Tries to authenticate without holding the thread while a remote store is read: the stage
     * then completes on the store's I/O thread (what follows must not block there), failing with
     * the store's exception. A method that {@link #mayBlock()} blocks in here (a JWKS fetch).
     */
    CompletionStage<Attempt> attemptAsync(Exchange exchange);

    /** {@link #attemptAsync}, waited for: on a thread that may block. */
    default Attempt attempt(Exchange exchange) throws Exception {
        try {
            return attemptAsync(exchange).toCompletableFuture().join();
        } catch (CompletionException e) {
            // the store's own exception, not its wrapper: the chain answers a store failure with 503
            if (e.getCause() instanceof Exception cause) throw cause;
            throw e;
        }
    }

    /** An attempt already decided. */
    static CompletionStage<Attempt> decided(Attempt attempt) { return CompletableFuture.completedFuture(attempt); }

    /** A method that may block decides on its thread; one that does not decides without holding it ({@link #attemptAsync}). */
    @Override
    default Outcome apply(Exchange exchange) throws Exception {
        return mayBlock() ? attempt(exchange).outcome() : outcomeOf(attemptAsync(exchange));
    }

    /** The outcome of an attempt: at once when it is complete already, else a suspension of the chain until it is. */
    static Outcome outcomeOf(CompletionStage<Attempt> attempt) {
        CompletableFuture<Attempt> f = attempt.toCompletableFuture();
        if (f.isDone() && !f.isCompletedExceptionally()) return f.join().outcome();
        return new Outcome.Suspend(f.thenApply(Attempt::outcome));
    }

    @Override default Phase phase() { return Phase.AUTH; }
}
