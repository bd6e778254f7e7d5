package io.polygate.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A TCP endpoint that, as nginx does, takes a read that left room in the buffer to mean the socket is
 * drained: later fills answer 0 without a system call until the selector next reports the socket.
 *
 * <p>Jetty reads again whenever it might have more to do: the server tries the next request as soon
 * as a response is written, twice (the retry is meant for TLS), and the client reads again after each
 * response. On a keep-alive proxy those reads find nothing three times per request, each a system
 * call plus the channel's read lock. Answering 0 is within the {@code fill} contract (the caller
 * registers fill interest, and the level-triggered selector reports at once whatever arrived since),
 * so a request that came in meanwhile costs one selector round, never data or a stall.
 *
 * <p>Read interest, once registered, also stays with the selector while nobody reads ({@link
 * StickyReadKey}), as nginx keeps each socket in epoll: readiness that arrives while nobody wants to
 * read takes the interest away, so an unread socket is reported once, not in a loop.
 */
public final class DrainedReadEndPoint extends SocketChannelEndPoint {

    /** Set by a read that left room in the buffer, cleared when the selector reports this socket. */
    private volatile boolean drained;

    /** The key Jetty sees; a new one when Jetty rebuilds its selector (selector thread only). */
    private StickyReadKey key;

    public DrainedReadEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key, Scheduler scheduler) {
        this(channel, selector, new StickyReadKey(key), scheduler);
    }

    private DrainedReadEndPoint(SocketChannel channel, ManagedSelector selector, StickyReadKey key, Scheduler scheduler) {
        super(channel, selector, key, scheduler);
        this.key = key;
    }

    @Override
    public int fill(ByteBuffer buffer) throws IOException {
        if (drained) return isInputShutdown() ? -1 : 0;
        int room = BufferUtil.space(buffer);
        int filled = super.fill(buffer);
        if (filled >= 0 && filled < room) drained = true;
        return filled;
    }

    @Override
    public Runnable onSelected() {
        drained = false;
        int ready = key.readyOps();
        boolean unwanted = (ready & SelectionKey.OP_READ) != 0 && !getFillInterest().isInterested();
        if (unwanted) key.dropRead();
        Runnable task = super.onSelected();
        // Jetty's task for a read nobody wants would find no fill interest, and Jetty, not knowing
        // that, would hand it to another thread. Fill interest registered from now on adds read
        // interest back (Jetty updates the key after this), so the data is reported again.
        boolean nothingToDo = unwanted && (ready & SelectionKey.OP_WRITE) == 0 && !getFillInterest().isInterested();
        return nothingToDo ? null : task;
    }

    @Override
    public void replaceKey(SelectionKey newKey) {
        key = new StickyReadKey(newKey);
        super.replaceKey(key);
    }
}
