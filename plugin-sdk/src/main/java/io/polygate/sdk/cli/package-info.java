/**
 * What every Polygate command line shares ({@link io.polygate.sdk.cli.CommandLines}): picocli
 * wired to the given output streams, a usage error answered with one line, a "did you mean" and
 * a pointer to {@code --help} (exit status 2), a failure with one line (exit status 1).
 */
package io.polygate.sdk.cli;
