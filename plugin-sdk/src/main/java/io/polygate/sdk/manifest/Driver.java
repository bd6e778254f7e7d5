package io.polygate.sdk.manifest;

import java.util.Locale;

/** The language a bundle's hooks are written in ({@code custom_middleware.driver}). */
public enum Driver {
    /** GraalPy, Tyk's coprocess Python API. */
    PYTHON("py"),
    /** GraalJS; Tyk's {@code otto}, {@code goja} and {@code javascript} drivers map here. */
    JS("js");

    private final String extension;

    Driver(String extension) { this.extension = extension; }

    /** The file extension of source files this driver evaluates ({@code py}, {@code js}). */
    public String extension() { return extension; }

    /** The driver for a manifest value, or null if unknown. */
    public static Driver parse(String value) {
        if (value == null) return null;
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "python", "grpc-python", "python3" -> PYTHON;
            case "js", "otto", "goja", "javascript" -> JS;
            default -> null;
        };
    }
}
