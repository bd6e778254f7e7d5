package io.polygate.chain;

/**
 * One stage of an API's request chain. Steps are built once from config when the API (or its
 * bundle) changes, never per request, and are shared by all requests of that API.
 *
 * <p>Threading: {@link #apply} is called concurrently from many request threads; a step keeps no
 * per-request state of its own (that belongs in the {@link Exchange}). Blocking: a step may block
 * (a store round trip, a plugin call), so the chain runs on a blocking-capable thread.
 */
public interface Step {
    /** Shown in logs, metrics and error messages. */
    String name();

    Phase phase();

    /**
     * Works on the exchange and says whether the request goes on.
     *
     * @return {@link Outcome#CONTINUE}, or an {@link Outcome.Respond} that ends the request
     * @throws Exception for an unexpected failure: the client gets a 500 with an error id, the
     *                   log gets the step name, the error id and the cause
     */
    Outcome apply(Exchange exchange) throws Exception;

    /**
     * Whether {@link #apply} may block its thread (a network round trip, a plugin call). The chain
     * runs on the I/O thread that read the request up to the first step that may block for that
     * request ({@link #mayBlock(Exchange)}) and hands the rest to the worker pool there; a route
     * whose steps and upstream never block has no hand-off at all. When in doubt, answer true (the
     * default). A step that waits for a store without holding its thread returns
     * {@link Outcome.Suspend} and answers false.
     */
    default boolean mayBlock() { return true; }

    /**
     * Whether applying this step to this request may block, asked just before {@link #apply}:
     * {@link #mayBlock()}, unless the step can tell from the exchange that it will not (an auth
     * step for a request a cached session already authenticated).
     */
    default boolean mayBlock(Exchange exchange) { return mayBlock(); }
}
