package io.polygate.proxy;

import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * The selection key a {@link DrainedReadEndPoint} hands to Jetty: read interest, once registered,
 * stays registered when Jetty drops it, as nginx keeps each socket in epoll for good.
 *
 * <p>Jetty's endpoint drops read interest each time the selector reports a socket readable and asks
 * for it again when the connection next wants to read; on a keep-alive proxy that is an
 * {@code epoll_ctl} to remove the socket and another to add it back for most requests. Kept instead,
 * the socket stays in epoll while the request is at the upstream, which reports nothing as long as
 * nothing arrives. When something does arrive that nobody reads yet (a pipelined request, a body not
 * yet asked for), the endpoint calls {@link #dropRead()} so that the level-triggered selector does
 * not report the socket again and again; Jetty's next fill interest registers read interest anew.
 *
 * <p>Write interest is passed through as Jetty sets it. All calls but {@link #interestOps()} and
 * {@link #readyOps()} come from the selector's thread, as Jetty makes them.
 */
final class StickyReadKey extends SelectionKey {
    private final SelectionKey key;

    StickyReadKey(SelectionKey key) {
        this.key = key;
    }

    /** Sets the interest Jetty asks for, keeping read interest if the socket has it. */
    @Override
    public SelectionKey interestOps(int ops) {
        key.interestOps(ops | (key.interestOps() & OP_READ));
        return this;
    }

    /** Takes the socket's read interest away: called when it is readable and nobody wants to read. */
    void dropRead() {
        key.interestOps(key.interestOps() & ~OP_READ);
    }

    /** The interest registered with the selector, which may include read interest Jetty dropped. */
    @Override
    public int interestOps() {
        return key.interestOps();
    }

    @Override
    public int readyOps() {
        return key.readyOps();
    }

    @Override
    public SelectableChannel channel() {
        return key.channel();
    }

    @Override
    public Selector selector() {
        return key.selector();
    }

    @Override
    public boolean isValid() {
        return key.isValid();
    }

    @Override
    public void cancel() {
        key.cancel();
    }
}
