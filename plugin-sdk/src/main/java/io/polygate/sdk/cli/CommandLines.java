package io.polygate.sdk.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Builds the picocli {@link CommandLine} of a Polygate command. Exit statuses: what the command
 * returns (0 success, 1 failure), 2 for a usage error (an unknown option or subcommand, a missing
 * or malformed value): the problem, picocli's suggestion when one is close
 * ({@code Did you mean --config?}) and {@code Try 'polygate start --help'}, on
 * stderr. An exception a command did not handle is one line on stderr and status 1.
 */
public final class CommandLines {
    public static final int USAGE_ERROR = CommandLine.ExitCode.USAGE;

    private CommandLines() {}

    /** {@code command}: a picocli-annotated object, or a {@link CommandLine} with its subcommands added. */
    public static CommandLine create(Object command, PrintStream out, PrintStream err) {
        CommandLine cli = command instanceof CommandLine c ? c : new CommandLine(command);
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cli.setParameterExceptionHandler(CommandLines::usageError);
        cli.setExecutionExceptionHandler((e, failed, parsed) -> {
            failed.getErr().println(failed.getCommandSpec().qualifiedName() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cli;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine failed = e.getCommandLine();
        PrintWriter err = failed.getErr();
        String name = failed.getCommandSpec().qualifiedName();
        err.println(name + ": " + e.getMessage());
        List<String> suggestions = e instanceof UnmatchedArgumentException u ? u.getSuggestions() : List.of();
        if (!suggestions.isEmpty()) err.println("Did you mean " + String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size()))) + "?");
        err.println("Try '" + name + " --help' for more information.");
        return USAGE_ERROR;
    }
}
