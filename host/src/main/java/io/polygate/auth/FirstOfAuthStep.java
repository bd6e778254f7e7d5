package io.polygate.auth;

import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import java.util.List;
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

    @Override
    public Attempt attempt(Exchange exchange) throws Exception {
        Attempt refused = null, unrecognised = null, absent = null;
        HttpFields.Mutable absentHeaders = null;
        for (AuthMethod method : methods) {
            Attempt a = method.attempt(exchange);
            switch (a.verdict()) {
                case AUTHENTICATED -> { return a; }
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
        }
        if (refused != null) return refused;
        if (unrecognised != null) return unrecognised;
        if (keylessFallback) return Attempt.AUTHENTICATED; // goes on with no session, as on a keyless API
        if (absentHeaders == null || !(absent.outcome() instanceof Outcome.Respond r)) return absent;
        return Attempt.absent(new Outcome.Respond(r.status(), absentHeaders, r.contentType(), r.body()));
    }
}
