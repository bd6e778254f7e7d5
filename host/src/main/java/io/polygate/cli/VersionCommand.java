package io.polygate.cli;

import io.polygate.observability.BuildInfo;
import io.polygate.plugin.polyglot.Engines;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code polygate version} (and {@code polygate --version}): the gateway's version and commit
 * ({@link BuildInfo}), the JDK it runs on and the GraalVM polyglot version
 * (no language engine is created for it).
 */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the version, commit, JDK and GraalVM.")
final class VersionCommand implements Callable<Integer>, IVersionProvider {
    private final PrintStream out;

    VersionCommand(PrintStream out) { this.out = out; }

    /** For {@code --version} of the root command, which picocli creates itself. */
    VersionCommand() { this(System.out); }

    @Override
    public Integer call() {
        for (String line : getVersion()) out.println(line);
        return 0;
    }

    @Override
    public String[] getVersion() {
        return new String[] {
                "polygate " + BuildInfo.version() + " (commit " + BuildInfo.commit() + ")",
                "JDK " + Runtime.version() + " (" + System.getProperty("java.vendor", "unknown vendor") + ")",
                "GraalVM polyglot " + Engines.graalVersion()
        };
    }
}
