package io.polygate.testing;

import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.chain.Phase;
import io.polygate.chain.Step;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The step of one {@link StepKit} shared by many property tries: each try sets the step it runs
 * ({@link #next}), sends its request, and reads the exchange that step finished with. Serving
 * one Jetty for all tries keeps a thousand of them to seconds.
 */
public final class TryStep implements Step {
    private final AtomicReference<Step> step = new AtomicReference<>();
    private final AtomicReference<Exchange> seen = new AtomicReference<>();

    /** Runs {@code next} from now on and forgets the exchange of the try before. */
    public void next(Step next) {
        step.set(next);
        seen.set(null);
    }

    /** The exchange after the step ran on this try's request; null when no request reached it (Jetty refused it first). */
    public Exchange seen() { return seen.get(); }

    @Override public String name() { return step.get().name(); }

    @Override public Phase phase() { return Phase.IDENTIFY; }

    @Override
    public Outcome apply(Exchange exchange) throws Exception {
        Outcome o = step.get().apply(exchange);
        seen.set(exchange);
        return o;
    }
}
