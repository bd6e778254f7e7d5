package io.polygate.cli;

import io.polygate.Gateway;
import io.polygate.StoreWaitServer;
import io.polygate.config.ConfigException;
import io.polygate.config.ConfigLoader;
import io.polygate.config.GatewayConfig;
import io.polygate.config.LoggingConfig;
import io.polygate.observability.ApplicationLogs;
import io.polygate.storage.StoreException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code polygate start}: runs the gateway until it is stopped. A config with errors lists every
 * one and starts nothing; a start-up failure (a port taken, the store unreachable) is one line.
 * Both are exit status 1. With {@code storage.wait_at_start} an unreachable store is waited for
 * instead, answering 503 meanwhile.
 */
@Command(name = "start", mixinStandardHelpOptions = true,
        description = {"Start the gateway. Without --config or POLYGATE_CONFIG: the embedded demo config",
                "(in-memory store, echo upstream, API /demo/ on :8080, admin API on :8081)."})
final class StartCommand implements Callable<Integer> {
    /** How long {@code storage.wait_at_start} waits between two tries to reach the store. */
    static final Duration STORE_RETRY = Duration.ofSeconds(1);

    private final PrintStream err;
    private final Map<String, String> env;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "the config file (default: $POLYGATE_CONFIG)")
    Path config;

    StartCommand(PrintStream err, Map<String, String> env) {
        this.err = err;
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        Path file = ConfigOption.file(config, env);
        GatewayConfig loaded;
        try {
            ConfigLoader loader = new ConfigLoader(env);
            loaded = file == null ? loader.loadDefault() : loader.load(file);
        } catch (ConfigException e) {
            if (e.errors().size() == 1) {
                err.println("polygate: the config has an error, nothing was started: " + e.errors().getFirst());
            } else {
                err.println("polygate: the config has errors, nothing was started:");
                e.errors().forEach(problem -> err.println("  " + problem));
            }
            return 1;
        }
        if (loaded.logging().format() == LoggingConfig.Format.JSON) ApplicationLogs.useJson();
        Gateway gateway;
        try {
            gateway = new Gateway(loaded);
        } catch (StoreException e) {
            if (!loaded.storage().waitAtStart()) {
                // the store is down or refuses us: one line, not a stack trace
                err.println("polygate: cannot start: " + e.getMessage());
                return 1;
            }
            try {
                gateway = waitForStore(loaded, e);
            } catch (IOException bind) {
                err.println("polygate: cannot start: " + bind.getMessage() + " (is another process on port "
                        + loaded.listenPort() + " or " + loaded.admin().port() + "?)");
                return 1;
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "polygate-shutdown"));
        try {
            gateway.start();
        } catch (IOException e) {
            err.println("polygate: cannot start: " + e.getMessage() + " (is another process on port "
                    + loaded.listenPort() + " or " + loaded.admin().port() + "?)");
            return 1; // the shutdown hook closes what did start
        }
        gateway.join();
        return 0;
    }

    /**
     * {@code storage.wait_at_start}: answers 503 on both ports ({@link StoreWaitServer}) and tries
     * to open the gateway every {@link #STORE_RETRY} until the store answers; then frees the ports
     * for it. A stop signal meanwhile ends the JVM, and with it the wait.
     *
     * @throws IOException when a port is taken
     */
    private Gateway waitForStore(GatewayConfig config, StoreException first) throws IOException, InterruptedException {
        err.println("polygate: " + first.getMessage() + "; serving 503 and retrying every " + STORE_RETRY.toMillis()
                + " ms (storage.wait_at_start)");
        try (StoreWaitServer waiting = StoreWaitServer.start(config, first.getMessage())) {
            while (true) {
                Thread.sleep(STORE_RETRY);
                try {
                    Gateway gateway = new Gateway(config);
                    err.println("polygate: the store answers; starting");
                    return gateway;
                } catch (StoreException e) {
                    waiting.setReason(e.getMessage());
                }
            }
        }
    }
}
