package io.polygate.cli;

import io.polygate.sdk.bundle.BundleCli;
import io.polygate.sdk.cli.CommandLines;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The root command, {@code polygate}: only its subcommands do something; {@code polygate} alone
 * is a usage error listing them.
 */
@Command(name = "polygate", mixinStandardHelpOptions = true, versionProvider = VersionCommand.class,
        description = "Polygate, an API gateway with Python and JavaScript plugins in Tyk's bundle format.")
public final class PolygateCli {
    /** How long {@code bundle push} waits for the admin API to answer (loading a bundle takes seconds). */
    private static final Duration PUSH_TIMEOUT = Duration.ofSeconds(120);

    private PolygateCli() {}

    /**
     * The command line, writing to {@code out} (results, {@code --help}) and {@code err} (errors,
     * notes); {@code env}: where {@code POLYGATE_*} variables are read.
     */
    public static CommandLine commandLine(PrintStream out, PrintStream err, Map<String, String> env) {
        CommandLine cli = new CommandLine(new PolygateCli())
                .addSubcommand(new StartCommand(err, env))
                .addSubcommand(new CheckCommand(out, err, env))
                .addSubcommand(new VersionCommand(out))
                .addSubcommand(new EchoCommand(err))
                .addSubcommand(new CommandLine(new PluginCommand()).addSubcommand(new PluginRunCommand(out, err)))
                .addSubcommand(new BundleCli(out, err, env, PUSH_TIMEOUT));
        return CommandLines.create(cli, out, err);
    }
}
