package io.polygate.auth;

import io.polygate.session.SessionCache;
import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.chain.Phase;
import io.polygate.chain.Step;
import java.time.InstantSource;

/**
 * The {@code id_extractor} and the session cache (IDENTIFY phase): extracts the request's id and,
 * when an {@code auth_check} built a session for it whose {@code id_extractor_deadline} has not
 * passed, authenticates the request with that session so the hook is not called. Without an id
 * the request goes on to the hook, uncached.
 */
public final class SessionCacheStep implements Step {
    private final String apiId;
    private final IdExtractor extractor;
    private final SessionCache cache;
    private final InstantSource clock;

    public SessionCacheStep(String apiId, IdExtractor extractor, SessionCache cache, InstantSource clock) {
        this.apiId = apiId;
        this.extractor = extractor;
        this.cache = cache;
        this.clock = clock;
    }

    @Override public String name() { return "id-extractor"; }

    @Override public Phase phase() { return Phase.IDENTIFY; }

    /** The cache is in memory; an id read from the body waits for the body. */
    @Override public boolean mayBlock() { return extractor.readsBody(); }

    @Override
    public Outcome apply(Exchange exchange) {
        String id = extractor.extract(exchange);
        if (id == null) return Outcome.CONTINUE;
        exchange.extractedId(id);
        SessionCache.Entry hit = cache.get(apiId, id, clock.millis() / 1000);
        if (hit != null) exchange.authenticate(hit.token(), hit.session());
        return Outcome.CONTINUE;
    }
}
