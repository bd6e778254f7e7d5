package io.polygate.storage.redis;

import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Puts Netty's {@link FlushConsolidationHandler} on every Redis connection, so that commands
 * written while the connection's event loop is busy leave in one {@code write} instead of one
 * each: Lettuce flushes per command, and with many requests checking limits at once every flush
 * was a system call on the gateway and a wake-up and a read for Redis. A flush outside a read
 * is put off to the end of the event loop's current run of tasks (at most Netty's default of 256
 * are held), so a lone command leaves as soon as before.
 */
final class ConsolidatedFlushes implements NettyCustomizer {

    @Override
    public void afterChannelInitialized(Channel channel) {
        channel.pipeline().addFirst(new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
    }
}
