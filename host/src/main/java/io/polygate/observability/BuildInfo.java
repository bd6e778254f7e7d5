package io.polygate.observability;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The gateway's version and commit, from {@value #RESOURCE} (written by the build: the pom's
 * version, the git commit, or {@code unknown} when built outside git). {@code polygate version}
 * prints them and {@code GET /hello} answers the version.
 */
public final class BuildInfo {
    static final String RESOURCE = "/polygate-build.properties";
    private static final Properties BUILD = read();

    private BuildInfo() {}

    public static String version() { return known(BUILD.getProperty("version")); }

    public static String commit() { return known(BUILD.getProperty("commit")); }

    /** A build property, or "unknown" when the build could not fill it in (no git: empty, or left as ${...}). */
    private static String known(String value) {
        return value == null || value.isBlank() || value.startsWith("${") ? "unknown" : value;
    }

    private static Properties read() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        return p;
    }
}
