package io.polygate.plugin;

import io.polygate.session.Session;
import io.polygate.session.SessionStore;
import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.chain.Phase;
import io.polygate.chain.Step;
import io.polygate.sdk.manifest.HookRef;
import java.util.concurrent.CompletionException;

/**
 * A {@code pre}, {@code post_key_auth} or {@code post} hook of a bundle as an ordinary chain step:
 * the hook gets the request, the session (empty before auth), the metadata and the spec; what it
 * changes goes back into the exchange, and {@code return_overrides} with a code ends the request.
 * A hook that fails or runs past its time limit gives the client a 500 with an error id; the log
 * line has the same id, the bundle, its version, the hook and the phase.
 *
 * <p>A session the hook changed is the request's session from then on. On a key-auth API, a
 * Tyk JSVM-style hook ({@code ReturnData(request, session.meta_data)}) that changed the
 * metadata also stores the session back on the key, as Tyk's JSVM does; other hooks' changes
 * last for the request only (Tyk's coprocess does not store them either).
 */
public final class HookStep implements Step {
    private final LoadedBundle bundle;
    private final HookRef hook;
    private final Phase phase;
    private final HookSpec spec;
    private final SessionStore keys;

    /** @param keys where a key's session is stored back (key-auth APIs), or null */
    public HookStep(LoadedBundle bundle, HookRef hook, HookSpec spec, SessionStore keys) {
        this.bundle = bundle;
        this.hook = hook;
        this.phase = switch (hook.type()) {
            case PRE -> Phase.PRE;
            case POST_KEY_AUTH -> Phase.POST_AUTH;
            case POST -> Phase.POST;
            default -> throw new IllegalArgumentException(hook.type() + " is not a request hook step");
        };
        this.spec = spec;
        this.keys = keys;
    }

    @Override public String name() { return "plugin:" + bundle.name() + ":" + hook.name(); }

    @Override public Phase phase() { return phase; }

    /** The hook runs on one of the bundle's own threads; the request waits for it without holding a thread. */
    @Override public boolean mayBlock() { return false; }

    @Override
    public Outcome apply(Exchange exchange) {
        HookCall call = HookCall.of(exchange, exchange.session(), spec, null);
        return new Outcome.Suspend(bundle.submit(hook, call).handle((done, failure) -> {
            if (failure == null) return applyChanges(call, exchange);
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof HookException e) return PluginFailures.respond(bundle, hook, exchange, e, 500);
            throw failure instanceof CompletionException c ? c : new CompletionException(cause);
        }));
    }

    /** What the hook changed, applied to the exchange (on the hook's thread). */
    private Outcome applyChanges(HookCall call, Exchange exchange) {
        Outcome.Respond respond = RequestChanges.apply(call, exchange);
        if (respond != null) return respond;
        Session changed = SessionChanges.changedSession(call);
        if (changed != null && exchange.keyId() != null) {
            exchange.authenticate(exchange.keyId(), changed);
            if (call.storeSession && keys != null) keys.save(exchange.keyId(), changed, exchange.apiId());
        }
        return Outcome.CONTINUE;
    }
}
