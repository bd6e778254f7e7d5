package io.polygate.cli;

import io.polygate.proxy.EchoServer;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code polygate echo}: a standalone echo upstream (benchmarks, trying the gateway out). */
@Command(name = "echo", mixinStandardHelpOptions = true,
        description = "Start a standalone echo upstream, answering each request with a JSON echo of it.")
final class EchoCommand implements Callable<Integer> {
    private final PrintStream err;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1", description = "the address to listen on (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "9000", description = "the port to listen on (default: ${DEFAULT-VALUE})")
    int port;

    EchoCommand(PrintStream err) { this.err = err; }

    @Override
    public Integer call() throws Exception {
        EchoServer echo = new EchoServer(host, port);
        try {
            echo.start();
        } catch (java.io.IOException e) {
            err.println("polygate echo: cannot listen on " + host + ":" + port + ": " + e.getMessage());
            return 1;
        }
        err.println("echo upstream on " + host + ":" + echo.port());
        echo.join();
        return 0;
    }
}
