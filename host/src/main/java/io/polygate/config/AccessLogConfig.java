package io.polygate.config;

import java.nio.file.Path;

/**
 * The {@code access_log:} section: one line per request, written by a thread of its own.
 *
 * @param enabled     off by default
 * @param path        the file to write (rotated daily and at 100 MB, see docs/observability.md),
 *                    or null for standard output
 * @param format      the shape of a line
 * @param queryValues whether the logged path keeps the query's values; by default only the
 *                    parameter names are kept ({@code /x?token=&page=}), as values may hold secrets
 */
public record AccessLogConfig(boolean enabled, Path path, Format format, boolean queryValues) {
    /** {@code json}: one JSON object a line; {@code text}: {@code key=value} pairs (logfmt). */
    public enum Format { JSON, TEXT }

    public static final AccessLogConfig OFF = new AccessLogConfig(false, null, Format.JSON, false);
}
