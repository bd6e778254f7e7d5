package io.polygate;

import io.polygate.config.ConfigException;
import io.polygate.config.ConfigLoader;
import io.polygate.config.GatewayConfig;
import io.polygate.storage.StoreException;
import io.polygate.proxy.EchoServer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Command line entry: {@code start [--config FILE]} runs the gateway (the embedded default config
 * when no file is given), {@code echo [--port N]} runs a standalone echo upstream for benchmarks.
 * A bad config prints every error and exits with status 2; nothing is started.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
            System.exit(1);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "start" -> start(rest);
            case "echo" -> EchoServer.main(rest);
            case "plugin" -> System.exit(io.polygate.plugin.polyglot.PluginRunner.main(rest, System.out, System.err));
            default -> {
                usage();
                System.exit(1);
            }
        }
    }

    static void usage() {
        System.err.println("""
                usage: polygate start [--config FILE]   start the gateway (default: the embedded demo config)
                       polygate echo [--port N]         start a standalone echo upstream (default port 9000)
                       polygate plugin run <bundle> <hook> --request req.json [--data key=value ...] [--allow-http host ...]
                                                        run one hook on a sample request and print what it changed""");
    }

    private static void start(String[] args) throws Exception {
        String file = option(args, "--config", System.getenv("POLYGATE_CONFIG"));
        GatewayConfig config;
        try {
            config = file == null ? new ConfigLoader().loadDefault() : new ConfigLoader().load(Path.of(file));
        } catch (ConfigException e) {
            System.err.println("polygate: the config has errors, nothing was started:");
            e.errors().forEach(err -> System.err.println("  " + err));
            System.exit(2);
            return;
        }
        Gateway gateway;
        try {
            gateway = new Gateway(config);
        } catch (StoreException e) {
            // the store is down or refuses us: one line, not a stack trace
            System.err.println("polygate: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "polygate-shutdown"));
        try {
            gateway.start();
        } catch (java.io.IOException e) {
            System.err.println("polygate: cannot start: " + e.getMessage() + " (is another process on port "
                    + config.listenPort() + " or " + config.admin().port() + "?)");
            System.exit(1);
            return;
        }
        gateway.join();
    }

    static String option(String[] args, String name, String dflt) {
        for (int i = 0; i < args.length - 1; i++) if (args[i].equals(name)) return args[i + 1];
        for (String a : args) if (a.startsWith(name + "=")) return a.substring(name.length() + 1);
        return dflt;
    }
}
