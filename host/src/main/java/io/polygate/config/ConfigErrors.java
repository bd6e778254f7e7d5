package io.polygate.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects every problem found while reading a config file or an admin API body, each with the
 * path of the field it concerns ({@code apis[1].target_url: not a URL (e.g. "http://host:8080")}).
 * All messages are built here so that their wording is in one place and tests can assert it.
 */
public final class ConfigErrors {
    private final List<String> errors = new ArrayList<>();

    public void add(String path, String problem) {
        errors.add(path.isEmpty() ? problem : path + ": " + problem);
    }

    public void missing(String path) { add(path, "is required"); }

    public void wrongType(String path, String expected) { add(path, "must be " + expected); }

    public void notAUrl(String path, Object value) {
        add(path, "not a URL: \"" + value + "\" (e.g. \"http://127.0.0.1:9000\" or \"echo://\")");
    }

    public void notADuration(String path, Object value) {
        add(path, "\"" + value + "\" is not a duration (e.g. \"30s\", \"500ms\", \"2m\" or a number of seconds)");
    }

    public void outOfRange(String path, Object value, String range) {
        add(path, value + " is out of range (" + range + ")");
    }

    public void unknownValue(String path, Object value, String allowed) {
        add(path, "\"" + value + "\" is not one of " + allowed);
    }

    /** A key no reader of that mapping knows: a typo ({@code suggestion}, may be null) or a setting Polygate does not have. */
    public void unknownKey(String path, String suggestion, java.util.Collection<String> known) {
        add(path, "unknown key" + (suggestion != null ? " (did you mean \"" + suggestion + "\"?)" : " (known here: " + String.join(", ", known) + ")"));
    }

    public void duplicate(String path, Object value) {
        add(path, "\"" + value + "\" is used more than once");
    }

    /** A Tyk Classic field Polygate does not implement and will not serve an API without. */
    public void refusedTykField(String path, String apiId, String what) {
        add(path, "API \"" + apiId + "\" uses " + what + ", which Polygate does not support; the API is refused rather than served without it");
    }

    public boolean isEmpty() { return errors.isEmpty(); }

    public List<String> list() { return List.copyOf(errors); }

    /** Throws a {@link ConfigException} carrying every error collected so far, if there is any. */
    public void throwIfAny(String what) {
        if (!errors.isEmpty()) throw new ConfigException(what, list());
    }
}
