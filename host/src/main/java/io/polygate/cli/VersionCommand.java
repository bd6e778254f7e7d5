package io.polygate.cli;

import io.polygate.plugin.polyglot.Engines;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code polygate version} (and {@code polygate --version}): the gateway's version and commit,
 * from {@value #BUILD_INFO} (written by the build: the pom's version, the git commit or
 * {@code unknown} when built outside git), the JDK it runs on and the GraalVM polyglot version
 * (no language engine is created for it).
 */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the version, commit, JDK and GraalVM.")
final class VersionCommand implements Callable<Integer>, IVersionProvider {
    static final String BUILD_INFO = "/polygate-build.properties";

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
        Properties build = buildInfo();
        return new String[] {
                "polygate " + known(build.getProperty("version")) + " (commit " + known(build.getProperty("commit")) + ")",
                "JDK " + Runtime.version() + " (" + System.getProperty("java.vendor", "unknown vendor") + ")",
                "GraalVM polyglot " + Engines.graalVersion()
        };
    }

    /** A build property, or "unknown" when the build could not fill it in (no git: empty, or left as ${...}). */
    private static String known(String value) {
        return value == null || value.isBlank() || value.startsWith("${") ? "unknown" : value;
    }

    private static Properties buildInfo() {
        Properties p = new Properties();
        try (InputStream in = VersionCommand.class.getResourceAsStream(BUILD_INFO)) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + BUILD_INFO, e);
        }
        return p;
    }
}
