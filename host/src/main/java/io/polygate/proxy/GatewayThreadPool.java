package io.polygate.proxy;

import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The server's thread pool, which runs a client connection's read loop on the thread that asks for
 * it instead of waking a pool thread. Jetty asks when a response completes on another thread than
 * the one that read its request (for a proxy: always, the upstream's I/O thread completes it), to
 * look for the connection's next request. That loop does not block: it reads what the socket has
 * (usually nothing yet), else registers read interest with the connection's selector, and a request
 * it finds goes to {@link ChainHandler}, which dispatches routes that may block itself. Running it
 * inline saves a park and an unpark per proxied request (about 10 % of the proxy's CPU per request
 * on one core, docs/performance.md).
 */
public final class GatewayThreadPool extends QueuedThreadPool {
    public GatewayThreadPool(int maxThreads, int minThreads) {
        super(maxThreads, minThreads);
    }

    @Override
    public void execute(Runnable job) {
        if (!Http1Connections.runIfReadLoop(job)) super.execute(job);
    }
}
