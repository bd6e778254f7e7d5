package io.polygate.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One run of the {@code polygate} command line in a JVM of its own, as a user runs it: its exit status and what it printed. */
public final class CommandLineProcess {
    private CommandLineProcess() {}

    /** {@code output}: stdout and stderr together, in order. */
    public record Result(int exitStatus, String output) {}

    /** Runs {@code io.polygate.Main args}; a run still going after {@code within} is killed and fails the test. */
    public static Result run(Duration within, String... args) throws IOException, InterruptedException {
        List<String> command = GatewayProcess.mainCommand();
        command.addAll(List.of(args));
        Path log = Files.createTempFile("polygate-cli", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("polygate " + String.join(" ", args) + " still runs after " + within + "; it printed:\n" + Files.readString(log));
            }
            return new Result(p.exitValue(), Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
