package io.polygate.cli;

import io.polygate.bundle.BundleCheck;
import io.polygate.config.ConfigLoader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code polygate check}: validates a config file, every API definition in it and in
 * {@code apis_dir}, and every bundle in {@code bundles_dir} ({@link BundleCheck}), and lists every
 * problem, without starting anything (like {@code nginx -t}). Exit status 0 when all is well, 1
 * when anything is wrong.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check a config file, its API definitions and the bundles in its bundles_dir without",
                "starting anything; list every problem. Exit status: 0 all is well, 1 a problem was found."})
final class CheckCommand implements Callable<Integer> {
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "the config file (default: $POLYGATE_CONFIG)")
    Path config;

    CheckCommand(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    @Override
    public Integer call() {
        Path file = ConfigOption.file(config, env);
        if (file == null) throw new ParameterException(spec.commandLine(), "which config? (--config FILE, or set " + ConfigOption.ENV + ")");
        ConfigLoader.Report report = new ConfigLoader(env).check(file);
        List<String> problems = new ArrayList<>(report.errors());
        if (report.bundlesDir() != null) problems.addAll(BundleCheck.problems(report.bundlesDir(), report.bundles()));
        if (problems.isEmpty()) {
            out.println("polygate check: " + file + ": the config, its APIs and the bundles in " + report.bundlesDir() + " are valid");
            return 0;
        }
        err.println("polygate check: " + file + ": " + problems.size() + (problems.size() == 1 ? " problem:" : " problems:"));
        problems.forEach(problem -> err.println("  " + problem));
        return 1;
    }
}
