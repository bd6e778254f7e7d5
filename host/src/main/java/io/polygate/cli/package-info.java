/**
 * The {@code polygate} command line (picocli): {@link io.polygate.cli.PolygateCli} builds it from
 * one class per command: {@code start}, {@code check}, {@code version}, {@code echo},
 * {@code plugin run}, and the plugin-sdk's {@code bundle build|push|verify}. Every command has
 * {@code --help}; a usage error (unknown option, missing value) is exit status 2 with a hint
 * ({@code io.polygate.sdk.cli.CommandLines}), a failure is one line and status 1.
 *
 * <p>The top of the graph, beside {@code io.polygate.Main}: may use any gateway package; none
 * uses it.
 */
package io.polygate.cli;
