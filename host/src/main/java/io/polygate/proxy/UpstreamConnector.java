package io.polygate.proxy;

import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Map;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.Transport;

/** The upstream client's connector: TCP connections skip reads of a drained socket ({@link DrainedReadEndPoint}). */
final class UpstreamConnector extends ClientConnector {

    @Override
    protected EndPoint newEndPoint(SelectableChannel channel, ManagedSelector selector, SelectionKey key) {
        Map<?, ?> context = (Map<?, ?>) key.attachment();
        if (context.get(Transport.CONTEXT_KEY) == Transport.TCP_IP && channel instanceof SocketChannel socket)
            return new DrainedReadEndPoint(socket, selector, key, getScheduler());
        return super.newEndPoint(channel, selector, key);
    }
}
