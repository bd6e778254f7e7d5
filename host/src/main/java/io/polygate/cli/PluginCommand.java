package io.polygate.cli;

import picocli.CommandLine.Command;

/** {@code polygate plugin}: the group of plugin tools ({@code run}). */
@Command(name = "plugin", mixinStandardHelpOptions = true, description = "Run plugin hooks without a gateway (docs/plugins.md).")
final class PluginCommand {}
