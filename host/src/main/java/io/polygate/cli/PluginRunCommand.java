package io.polygate.cli;

import io.polygate.plugin.polyglot.PluginRunner;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code polygate plugin run}: one hook of a bundle on a sample request ({@link PluginRunner}). */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run one hook of a bundle (folder or zip) on a sample request, with the real plugin runtime",
                "and an in-memory store, and print what it changed. Exit status: 0 the hook ran,",
                "1 it failed or timed out, 2 bad arguments or bundle."})
final class PluginRunCommand implements Callable<Integer> {
    private final PrintStream out;
    private final PrintStream err;

    @Parameters(index = "0", paramLabel = "BUNDLE", description = "the bundle folder or zip")
    Path bundle;

    @Parameters(index = "1", paramLabel = "HOOK", description = "the hook's name in manifest.json")
    String hook;

    @Option(names = "--request", required = true, paramLabel = "FILE", description = "the sample request (JSON; docs/plugins.md)")
    Path request;

    @Option(names = "--data", paramLabel = "KEY=VALUE", description = "what tyk.get_data(KEY) finds (repeatable)")
    Map<String, String> data = new LinkedHashMap<>();

    @Option(names = "--allow-http", paramLabel = "HOST", description = "a host the hook may call: host, host:port or *.domain (repeatable)")
    List<String> allowHttp = new ArrayList<>();

    @Option(names = "--timeout-ms", paramLabel = "N", defaultValue = "1000", description = "the hook's time limit (default: ${DEFAULT-VALUE})")
    long timeoutMs;

    PluginRunCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        return PluginRunner.run(bundle, hook, request, data, allowHttp, Duration.ofMillis(timeoutMs), out, err);
    }
}
