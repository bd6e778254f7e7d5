package io.polygate.cli;

import io.polygate.Gateway;
import io.polygate.config.ConfigException;
import io.polygate.config.ConfigLoader;
import io.polygate.config.GatewayConfig;
import io.polygate.storage.StoreException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code polygate start}: runs the gateway until it is stopped. A config with errors lists every
 * one and starts nothing; a start-up failure (a port taken, the store unreachable) is one line.
 * Both are exit status 1.
 */
@Command(name = "start", mixinStandardHelpOptions = true,
        description = {"Start the gateway. Without --config or POLYGATE_CONFIG: the embedded demo config",
                "(in-memory store, echo upstream, API /demo/ on :8080, admin API on :8081)."})
final class StartCommand implements Callable<Integer> {
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
        Gateway gateway;
        try {
            gateway = new Gateway(loaded);
        } catch (StoreException e) {
            // the store is down or refuses us: one line, not a stack trace
            err.println("polygate: cannot start: " + e.getMessage());
            return 1;
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
}
