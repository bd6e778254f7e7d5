package io.polygate.storage.redis;

import io.lettuce.core.event.command.CommandFailedEvent;
import io.lettuce.core.event.command.CommandListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code polygate_redis_command_errors_total{command}}: Redis commands that completed with an
 * error (an error reply, a timeout, the connection lost while they were in flight). The command
 * label is Lettuce's command type ({@code GET}, {@code EVALSHA}, ...), a fixed set.
 */
final class RedisCommandErrors implements CommandListener {
    private final MeterRegistry registry;

    RedisCommandErrors(MeterRegistry registry) { this.registry = registry; }

    @Override
    public void commandFailed(CommandFailedEvent event) {
        Counter.builder("polygate.redis.command.errors")
                .description("Redis commands that failed (error reply, timeout, connection lost), by command")
                .tag("command", event.getCommand().getType().toString())
                .register(registry).increment();
    }
}
