package io.polygate.config;

import java.util.List;

/** A config file or admin API body that failed validation; {@link #errors()} lists every problem with its path. */
public final class ConfigException extends RuntimeException {
    private final List<String> errors;

    public ConfigException(String what, List<String> errors) {
        super(what + ": " + String.join("; ", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() { return errors; }
}
