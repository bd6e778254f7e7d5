package io.polygate.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JSON/YAML node with its path, reading typed fields and reporting each problem to a shared
 * {@link ConfigErrors} instead of stopping at the first. Getters return the default when a field
 * is absent and when it is invalid (the error is recorded either way).
 */
public final class Node {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    private final JsonNode json;
    private final String path;
    private final ConfigErrors errors;
    private final KeysRead keysRead;

    /** The root of a document (or of an admin API body); its children share what keys were read. */
    public Node(JsonNode json, String path, ConfigErrors errors) { this(json, path, errors, new KeysRead()); }

    private Node(JsonNode json, String path, ConfigErrors errors, KeysRead keysRead) {
        this.json = json == null ? MissingNode.getInstance() : json;
        this.path = path;
        this.errors = errors;
        this.keysRead = keysRead;
    }

    public JsonNode json() { return json; }
    public String path() { return path; }
    public ConfigErrors errors() { return errors; }

    public String pathOf(String field) { return path.isEmpty() ? field : path + "." + field; }

    /** The value of {@code field}, which becomes a known key of this mapping. */
    private JsonNode field(String field) {
        keysRead.record(path, field);
        return json.get(field);
    }

    public boolean has(String field) {
        JsonNode v = field(field);
        return v != null && !v.isNull();
    }

    public Node child(String field) { return new Node(field(field), pathOf(field), errors, keysRead); }

    public Node element(int i) { return new Node(json.get(i), path + "[" + i + "]", errors, keysRead); }

    /**
     * Reports, as errors, the keys of this document that no getter asked for (typos, settings of
     * another version), each with a "did you mean" when a known key is close; call after reading
     * all of it. The subtrees of {@code skipped} top-level keys are not checked.
     */
    public void reportUnknownKeys(String... skipped) { keysRead.reportUnknown(json, path, Set.of(skipped), errors); }

    public boolean isObject() { return json.isObject(); }

    public boolean requireObject() {
        if (json.isObject()) return true;
        if (json.isMissingNode() || json.isNull()) errors.missing(path);
        else errors.wrongType(path, "an object");
        return false;
    }

    public String string(String field, String dflt) {
        JsonNode v = field(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isTextual()) { errors.wrongType(pathOf(field), "a string"); return dflt; }
        return v.asText();
    }

    public String requiredString(String field) {
        String v = string(field, null);
        if (v == null && !has(field)) errors.missing(pathOf(field));
        else if (v != null && v.isBlank()) { errors.add(pathOf(field), "must not be empty"); return null; }
        return v;
    }

    public boolean bool(String field, boolean dflt) {
        JsonNode v = field(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isBoolean()) { errors.wrongType(pathOf(field), "true or false"); return dflt; }
        return v.asBoolean();
    }

    public long integer(String field, long dflt, long min, long max) {
        JsonNode v = field(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.canConvertToLong() || !(v.isIntegralNumber() || (v.isNumber() && v.asDouble() == Math.rint(v.asDouble())))) {
            errors.wrongType(pathOf(field), "an integer");
            return dflt;
        }
        long n = v.asLong();
        if (n < min || n > max) { errors.outOfRange(pathOf(field), n, min + ".." + max); return dflt; }
        return n;
    }

    public double number(String field, double dflt, double min, double max) {
        JsonNode v = field(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isNumber()) { errors.wrongType(pathOf(field), "a number"); return dflt; }
        double n = v.asDouble();
        if (n < min || n > max) { errors.outOfRange(pathOf(field), v.asText(), min + ".." + max); return dflt; }
        return n;
    }

    public int port(String field, int dflt) {
        return (int) integer(field, dflt, 0, 65535);
    }

    /** A duration given as {@code "30s"}, {@code "500ms"}, {@code "2m"}, {@code "1h"} or a number of seconds. */
    public Duration duration(String field, Duration dflt) {
        JsonNode v = field(field);
        if (v == null || v.isNull()) return dflt;
        Duration d = parseDuration(v);
        if (d == null) { errors.notADuration(pathOf(field), v.asText()); return dflt; }
        return d;
    }

    static Duration parseDuration(JsonNode v) {
        if (v.isNumber()) {
            double s = v.asDouble();
            return s < 0 ? null : Duration.ofNanos((long) (s * 1_000_000_000L));
        }
        if (!v.isTextual()) return null;
        Matcher m = DURATION.matcher(v.asText().trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) return null;
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double ms = switch (unit) {
            case "ms" -> n;
            case "s" -> n * 1000;
            case "m" -> n * 60_000;
            default -> n * 3_600_000;
        };
        return Duration.ofNanos((long) (ms * 1_000_000L));
    }

    /** An absolute http(s) URL, or {@code echo://} for the built-in echo upstream. */
    public URI url(String field, boolean required) {
        String s = required ? requiredString(field) : string(field, null);
        return s == null ? null : parseUrl(s, pathOf(field));
    }

    /** This node's value as {@link #url}; null, with the error recorded, when it is not one. */
    public URI asUrl() {
        if (!json.isTextual()) {
            errors.notAUrl(path, json.toString());
            return null;
        }
        return parseUrl(json.asText(), path);
    }

    private URI parseUrl(String s, String at) {
        if (s.trim().matches("(?i)echo:(//)?/?")) return URI.create("echo:/");
        try {
            URI u = new URI(s.trim());
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (scheme.equals("echo")) return u;
            if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null) {
                errors.notAUrl(at, s);
                return null;
            }
            return u;
        } catch (Exception e) {
            errors.notAUrl(at, s);
            return null;
        }
    }

    /**
     * This node as a list of non-blank strings; empty when absent. A value that is no list is
     * {@code list}'s error, an element that is no such string {@code element}'s, each at its path.
     */
    public List<String> stringList(String list, String element) {
        List<String> out = new ArrayList<>();
        if (json.isMissingNode() || json.isNull()) return out;
        if (!json.isArray()) {
            errors.wrongType(path, list);
            return out;
        }
        for (int i = 0; i < json.size(); i++) {
            if (json.get(i).isTextual() && !json.get(i).asText().isBlank()) out.add(json.get(i).asText());
            else errors.wrongType(path + "[" + i + "]", element);
        }
        return out;
    }
}
