package io.polygate.chain;

/**
 * Something a route's steps use that must stay open while a request is inside the route: a bundle
 * version. {@code proxy.ChainHandler} pins every pin ({@code Route.pins()}) of
 * the route a request matched before the first step runs, and releases them when the response is
 * complete, so a version swapped out by a reload is closed only once the requests already inside
 * it have finished.
 *
 * <p>Threading: both methods are called from any request thread, concurrently; they never block.
 */
public interface Pin {
    /**
     * Takes one hold. False when the thing is already closed (it was retired and went idle): the
     * caller must not use the route and should match the request again, against the newer routes.
     */
    boolean tryRetain();

    /** Gives back one hold taken by a successful {@link #tryRetain()}. */
    void release();
}
