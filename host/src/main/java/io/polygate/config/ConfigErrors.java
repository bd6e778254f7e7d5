package io.polygate.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects every problem found while reading a config file or an admin API body, each with the
 * path of the field it concerns ({@code apis[1].target_url: not a URL (e.g. "http://host:8080")}).
 * All messages are built here so that their wording is in one place and tests can assert it.
 */
public final class ConfigErrors {
    /** One problem: the path of its field ({@code ""} for the whole document) and what is wrong with it. */
    public record Problem(String field, String error) {
        /** {@code field: error}, or the error alone for the whole document. */
        public String text() { return field.isEmpty() ? error : field + ": " + error; }
    }

    private final List<Problem> problems = new ArrayList<>();

    public void add(String path, String problem) {
        problems.add(new Problem(path, problem));
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

    public boolean isEmpty() { return problems.isEmpty(); }

    /** Every problem as {@code field: error} text, in the order found. */
    public List<String> list() { return problems.stream().map(Problem::text).toList(); }

    /** Every problem with its field apart, in the order found. */
    public List<Problem> problems() { return List.copyOf(problems); }

    /** Throws a {@link ConfigException} carrying every error collected so far, if there is any. */
    public void throwIfAny(String what) {
        if (!problems.isEmpty()) throw new ConfigException(what, list());
    }
}
