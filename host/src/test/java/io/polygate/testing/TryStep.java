package io.polygate.testing;

import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.chain.Phase;
import io.polygate.chain.Step;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One step served by its own {@link StepKit} for many property tries: each try sets the step it
 * runs ({@link #next}), sends its request through {@link #kit()}, and reads the exchange that
 * step finished with. One Jetty for all tries keeps a thousand of them to seconds.
 */
public final class TryStep implements Step, AutoCloseable {
    private final AtomicReference<Step> step = new AtomicReference<>();
    private final AtomicReference<Exchange> seen = new AtomicReference<>();
    private StepKit kit;

    private TryStep() {}

    /** A started kit serving a try step (set one with {@link #next} before the first request). */
    public static TryStep serve() throws Exception {
        TryStep s = new TryStep();
        s.kit = StepKit.of(s);
        return s;
    }

    public StepKit kit() { return kit; }

    @Override
    public void close() throws Exception { kit.close(); }

    /** Runs {@code next} from now on and forgets the exchange of the try before. */
    public void next(Step next) {
        step.set(next);
        seen.set(null);
    }

    /** The exchange of this try's request, as the step left it; null when Jetty refused the request before the chain. */
    public Exchange seen() { return seen.get(); }

    @Override public String name() { return step.get().name(); }

    @Override public Phase phase() { return Phase.IDENTIFY; }

    @Override
    public Outcome apply(Exchange exchange) throws Exception {
        seen.set(exchange); // first, so that a step that throws has been seen too
        return step.get().apply(exchange);
    }
}
