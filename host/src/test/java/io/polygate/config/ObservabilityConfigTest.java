package io.polygate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access_log, tracing and logging sections: defaults, values, and the exact errors. */
class ObservabilityConfigTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static GatewayConfig load(String yaml, Path baseDir) throws Exception {
        return new ConfigLoader(Map.of()).load(YAML.readTree("admin: {secret: s}\n" + yaml), baseDir, "test");
    }

    private static void assertErrors(String yaml, Path baseDir, String... errors) {
        assertThatThrownBy(() -> load(yaml, baseDir))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactlyInAnyOrder(errors));
    }

    @Test
    void allOffByDefault(@TempDir Path dir) throws Exception {
        GatewayConfig c = load("", dir);
        assertThat(c.accessLog()).isEqualTo(AccessLogConfig.OFF);
        assertThat(c.tracing().enabled()).isFalse();
        assertThat(c.logging().format()).isEqualTo(LoggingConfig.Format.TEXT);
    }

    @Test
    void readsEverySetting(@TempDir Path dir) throws Exception {
        GatewayConfig c = load("""
                access_log: {enabled: true, path: access.log, format: text, query_values: true}
                tracing: {otlp_endpoint: "http://collector:4318", service_name: edge, sample_ratio: 0.25}
                logging: {format: json}
                """, dir);
        assertThat(c.accessLog()).isEqualTo(new AccessLogConfig(true, dir.resolve("access.log"), AccessLogConfig.Format.TEXT, true));
        assertThat(c.tracing()).isEqualTo(new TracingConfig(URI.create("http://collector:4318"), "edge", 0.25));
        assertThat(c.logging().format()).isEqualTo(LoggingConfig.Format.JSON);
        // without a path the access log goes to standard output
        assertThat(load("access_log: {enabled: true}\n", dir).accessLog().path()).isNull();
    }

    @Test
    void refusesBadValuesWithTheirPath(@TempDir Path dir) {
        assertErrors("""
                access_log: {enabled: yes-please, path: missing/access.log, format: xml}
                tracing: {otlp_endpoint: "echo://", sample_ratio: 2}
                logging: {format: yaml}
                """, dir,
                "access_log.enabled: must be true or false",
                "access_log.path: \"missing/access.log\": the directory " + dir.resolve("missing") + " does not exist",
                "access_log.format: \"xml\" is not one of json, text",
                "tracing.otlp_endpoint: \"echo://\" is not an http(s) URL of an OTLP/HTTP collector (e.g. \"http://127.0.0.1:4318\")",
                "tracing.sample_ratio: 2 is out of range (0.0..1.0)",
                "logging.format: \"yaml\" is not one of text, json");
    }

    @Test
    void unknownKeysAreRefused(@TempDir Path dir) {
        assertErrors("access_log: {enable: true}\ntracing: {endpoint: x}\n", dir,
                "access_log.enable: unknown key (did you mean \"enabled\"?)",
                "tracing.endpoint: unknown key (known here: otlp_endpoint, sample_ratio, service_name)");
    }
}
