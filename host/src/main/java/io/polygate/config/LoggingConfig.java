package io.polygate.config;

/**
 * The {@code logging:} section: the shape of the application's own log lines (standard error).
 *
 * @param format {@code text} (the default, one readable line) or {@code json} (one JSON object a
 *               line, logback's {@code JsonEncoder})
 */
public record LoggingConfig(Format format) {
    public enum Format { TEXT, JSON }

    public static final LoggingConfig TEXT = new LoggingConfig(Format.TEXT);
}
