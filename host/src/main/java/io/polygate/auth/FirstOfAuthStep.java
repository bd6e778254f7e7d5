package io.polygate.auth;

import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.jetty.http.HttpFields;

/**
 * Several auth methods on one API: they are tried in order and the first that authenticates the
 * request wins (its session, its limits). When none does, the answer is the one that explains
 * most: that of the first method that refused a credential of its own (an expired token, a wrong
 * password), else of the first that did not recognise what it found (an unknown key), else of
 * the first method (the request brought no credential at all), carrying the headers every method
 * answers a missing credential with ({@code WWW-Authenticate} of basic auth). With {@code keylessFallback}, a
 * request that brought no credential of any method goes on unauthenticated, as on a keyless API;
 * one that brought a bad credential does not.
 */
public final class FirstOfAuthStep implements AuthMethod {
    private final List<AuthMethod> methods;
    private final boolean keylessFallback;
    private final boolean mayBlock;

    public FirstOfAuthStep(List<AuthMethod> methods, boolean keylessFallback) {
        if (methods.isEmpty()) throw new IllegalArgumentException("no auth method");
        this.methods = List.copyOf(methods);
        this.keylessFallback = keylessFallback;
        this.mayBlock = methods.stream().anyMatch(AuthMethod::mayBlock);
    }

    @Override public String name() { return "auth-first-of"; }

    @Override public boolean mayBlock() { return mayBlock; }

    /** On a thread that may block: each method decides on it. */
    @Override
    public Attempt attempt(Exchange exchange) throws Exception {
        Verdicts verdicts = new Verdicts();
        for (AuthMethod method : methods) {
            if (verdicts.add(method.attempt(exchange))) break;
        }
        return verdicts.answer();
    }

    /**
     * Methods that wait for a store do that without holding the thread; the next is tried when one
     * has answered. With a method that may block, each decides on this thread instead (the next
     * one must not run on a store's I/O thread).
     */
    @Override
    public CompletionStage<Attempt> attemptAsync(Exchange exchange) {
        if (!mayBlock) return attemptFrom(exchange, 0, new Verdicts());
        try {
            return AuthMethod.decided(attempt(exchange));
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletionStage<Attempt> attemptFrom(Exchange exchange, int from, Verdicts verdicts) {
        for (int i = from; i < methods.size(); i++) {
            CompletableFuture<Attempt> a = methods.get(i).attemptAsync(exchange).toCompletableFuture();
            if (!a.isDone() || a.isCompletedExceptionally()) {
                int next = i + 1;
                return a.thenCompose(attempt -> verdicts.add(attempt) ? AuthMethod.decided(verdicts.answer())
                        : attemptFrom(exchange, next, verdicts));
            }
            if (verdicts.add(a.join())) break;
        }
        return AuthMethod.decided(verdicts.answer());
    }

    /** The attempts of one request so far, and the answer they make. */
    private final class Verdicts {
        private Attempt authenticated, refused, unrecognised, absent;
        private HttpFields.Mutable absentHeaders;

        /** Takes one method's attempt; true when it authenticated the request (no other need be tried). */
        boolean add(Attempt a) {
            switch (a.verdict()) {
                case AUTHENTICATED -> authenticated = a;
                case REFUSED -> { if (refused == null) refused = a; }
                case UNRECOGNISED -> { if (unrecognised == null) unrecognised = a; }
                case ABSENT -> {
                    if (absent == null) absent = a;
                    if (a.outcome() instanceof Outcome.Respond r && r.headers() != null) {
                        if (absentHeaders == null) absentHeaders = HttpFields.build();
                        absentHeaders.add(r.headers());
                    }
                }
            }
            return authenticated != null;
        }

        Attempt answer() {
            if (authenticated != null) return authenticated;
            if (refused != null) return refused;
            if (unrecognised != null) return unrecognised;
            if (keylessFallback) return Attempt.AUTHENTICATED; // goes on with no session, as on a keyless API
            if (absentHeaders == null || !(absent.outcome() instanceof Outcome.Respond r)) return absent;
            return Attempt.absent(new Outcome.Respond(r.status(), absentHeaders, r.contentType(), r.body()));
        }
    }
}
