package io.polygate;

import io.polygate.cli.PolygateCli;

/** The {@code polygate} command line ({@link PolygateCli}); the JVM exits with its status. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(PolygateCli.commandLine(System.out, System.err, System.getenv()).execute(args));
    }
}
