package io.polygate.config;

/**
 * The {@code metrics:} section: an optional listener that serves {@code /metrics} without the
 * admin secret, for a Prometheus scraper. Off unless a port is given.
 *
 * @param host the address it listens on (default {@code 127.0.0.1})
 * @param port its port; 0 = any free port; {@link #OFF}'s -1 = no listener
 */
public record MetricsConfig(String host, int port) {
    public static final MetricsConfig OFF = new MetricsConfig("127.0.0.1", -1);

    public boolean enabled() { return port >= 0; }
}
