package io.polygate.cli;

import java.nio.file.Path;
import java.util.Map;

/** The config file a command reads: {@code --config FILE}, else {@code $POLYGATE_CONFIG}, else none (null). */
final class ConfigOption {
    static final String ENV = "POLYGATE_CONFIG";

    private ConfigOption() {}

    static Path file(Path option, Map<String, String> env) {
        if (option != null) return option;
        String fromEnv = env.get(ENV);
        return fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv);
    }
}
