package io.polygate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.polygate.config.ApiDefinition.AuthType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static GatewayConfig load(String yaml) throws Exception {
        return new ConfigLoader(Map.of()).load(YAML.readTree(yaml), Path.of("/srv/pg"), "test");
    }

    @Test
    void embeddedDefaultServesTheDemoApiOnTheEchoUpstream() {
        GatewayConfig c = new ConfigLoader(Map.of()).loadDefault();
        assertThat(c.listenPort()).isEqualTo(8080);
        assertThat(c.admin().port()).isEqualTo(8081);
        assertThat(c.storage().type()).isEqualTo(GatewayConfig.StorageType.MEMORY);
        ApiDefinition demo = c.apis().stream().filter(a -> a.apiId().equals("demo")).findFirst().orElseThrow();
        assertThat(demo.listenPath()).isEqualTo("/demo");
        assertThat(demo.isEcho()).isTrue();
        assertThat(demo.auth().type()).isEqualTo(AuthType.NONE);
    }

    @Test
    void memoryStrikesHaveADefaultAndAreChecked() throws Exception {
        assertThat(load("admin: {secret: s}\n").plugins().memoryStrikes()).isEqualTo(3);
        assertThat(load("admin: {secret: s}\nplugins: {memory_strikes: 0}\n").plugins().memoryStrikes()).isZero();
        assertThatThrownBy(() -> load("admin: {secret: s}\nplugins: {memory_strikes: -1}\n"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
                        "plugins.memory_strikes: -1 is out of range (0..1000)"));
    }

    @Test
    void theMetricsListenerIsOffByDefaultAndItsPortIsChecked() throws Exception {
        assertThat(load("admin: {secret: s}\n").metrics().enabled()).isFalse();
        MetricsConfig m = load("admin: {secret: s}\nmetrics: {port: 9090}\n").metrics();
        assertThat(m.enabled()).isTrue();
        assertThat(m.port()).isEqualTo(9090);
        assertThat(m.host()).isEqualTo("127.0.0.1");
        assertThat(load("admin: {secret: s}\nmetrics: {port: 9090, host: 0.0.0.0}\n").metrics().host()).isEqualTo("0.0.0.0");
        assertThatThrownBy(() -> load("admin: {secret: s}\nmetrics: {host: 0.0.0.0, path: /m}\n"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactlyInAnyOrder(
                        "metrics.port: is required", "metrics.path: unknown key (known here: host, port)"));
        assertThatThrownBy(() -> load("admin: {secret: s, port: 9000}\nmetrics: {port: 9000}\n"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
                        "metrics.port: 9000 is also admin.port; the metrics listener needs its own port"));
        assertThatThrownBy(() -> load("admin: {secret: s}\nmetrics: 9090\n"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).hasSize(1).first().asString().startsWith("metrics: "));
    }

    @Test
    void slowClientLimitsHaveDefaultsAndAreChecked() throws Exception {
        GatewayConfig c = load("admin: {secret: s}\n");
        assertThat(c.proxy().clientHeaderTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.proxy().minRequestDataRate()).isEqualTo(128);
        GatewayConfig set = load("admin: {secret: s}\nproxy: {client_header_timeout: 2s, min_request_data_rate: 0}\n");
        assertThat(set.proxy().clientHeaderTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(set.proxy().minRequestDataRate()).isZero();
        assertThatThrownBy(() -> load("admin: {secret: s}\nproxy: {client_header_timeout: 0, min_request_data_rate: -1}\n"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactlyInAnyOrder(
                        "proxy.client_header_timeout: must be more than 0 (e.g. \"10s\")",
                        "proxy.min_request_data_rate: -1 is out of range (0..2147483647)"));
    }

    @Test
    void theClientConnectionLimitIsAutomaticUnlessSetAndIsChecked() throws Exception {
        assertThat(load("admin: {secret: s}\n").proxy().maxClientConnections()).as("0: half the open-file limit").isZero();
        assertThat(load("admin: {secret: s}\nproxy: {max_client_connections: 5000}\n").proxy().maxClientConnections()).isEqualTo(5000);
        assertThatThrownBy(() -> load("admin: {secret: s}\nproxy: {max_client_connections: -1}\n"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
                        "proxy.max_client_connections: -1 is out of range (0..10000000)"));
    }

    @Test
    void reportsEveryErrorAtOnceWithItsPath() {
        String yaml = """
                listen_port: 99999
                admin: {port: 8081}
                storage: {type: mongo}
                proxy: {upstream_timeout: "ten seconds"}
                apis:
                  - api_id: a
                    listen_path: /a/
                    target_url: http://127.0.0.1:9000
                  - api_id: b
                    listen_path: b
                    target_url: "not a url"
                    auth: magic
                """;
        assertThatThrownBy(() -> load(yaml))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactlyInAnyOrder(
                        "listen_port: 99999 is out of range (0..65535)",
                        "admin.secret: is required (or set POLYGATE_ADMIN_SECRET)",
                        "storage.type: \"mongo\" is not one of memory, redis",
                        "proxy.upstream_timeout: \"ten seconds\" is not a duration (e.g. \"30s\", \"500ms\", \"2m\" or a number of seconds)",
                        "apis[1].listen_path: \"b\" must be a path starting with '/' (e.g. \"/orders/\")",
                        "apis[1].target_url: not a URL: \"not a url\" (e.g. \"http://127.0.0.1:9000\" or \"echo://\")",
                        "apis[1].auth: \"magic\" is not one of none, key, plugin, jwt, basic, mtls"));
    }

    @Test
    void refusesDuplicateIdsAndListenPaths() {
        String yaml = """
                admin: {secret: s}
                apis:
                  - {api_id: a, listen_path: /x, target_url: "echo://"}
                  - {api_id: a, listen_path: /x/, target_url: "echo://"}
                """;
        assertThatThrownBy(() -> load(yaml)).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
                        "apis.api_id: \"a\" is used more than once",
                        "apis.a.listen_path: \"/x\" is already the listen path of API \"a\""));
    }

    @Test
    void readsTykClassicApiDefinitions() throws Exception {
        GatewayConfig c = load("""
                admin: {secret: s}
                apis:
                  - api_id: tyk1
                    name: Classic
                    use_keyless: false
                    auth: {auth_header_name: X-Api-Key}
                    proxy: {listen_path: /classic/, target_url: "http://upstream:8080/base", strip_listen_path: false}
                    global_rate_limit: {rate: 100, per: 1}
                  - api_id: tyk2
                    use_keyless: true
                    proxy: {listen_path: /open/, target_url: "http://upstream:8080"}
                """);
        ApiDefinition a = c.apis().get(0);
        assertThat(a.listenPath()).isEqualTo("/classic");
        assertThat(a.stripListenPath()).isFalse();
        assertThat(a.targetUrl().toString()).isEqualTo("http://upstream:8080/base");
        assertThat(a.auth()).isEqualTo(new ApiDefinition.AuthSpec(AuthType.KEY, "X-Api-Key"));
        assertThat(a.globalRateLimit()).isEqualTo(new ApiDefinition.RateSpec(100, 1));
        assertThat(c.apis().get(1).auth().type()).isEqualTo(AuthType.NONE);
    }

    @Test
    void envSecretOverridesTheFileAndDurationsAcceptUnits() throws Exception {
        GatewayConfig c = new ConfigLoader(Map.of("POLYGATE_ADMIN_SECRET", "from-env")).load(YAML.readTree("""
                admin: {secret: from-file}
                proxy: {upstream_timeout: 1500ms, connect_timeout: 2}
                """), Path.of("."), "test");
        assertThat(c.admin().secret()).isEqualTo("from-env");
        assertThat(c.proxy().upstreamTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.proxy().connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.admin().toString()).doesNotContain("from-env");
    }

    @Test
    void outboundHttpAllowsNothingByDefaultAndChecksItsSettings() throws Exception {
        GatewayConfig.OutboundHttpConfig d = load("admin: {secret: s}\n").plugins().outboundHttp();
        assertThat(d.allow()).isEmpty();
        assertThat(d.timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(d.maxResponseBytes()).isEqualTo(1 << 20);
        GatewayConfig.OutboundHttpConfig c = load("""
                admin: {secret: s}
                plugins: {hook_timeout: 2s, outbound_http: {timeout: 300ms, max_response_bytes: 4096,
                          allow: {lookup: ["API.example.com", "10.0.0.5:8443", "*.internal.example", "[::1]:9000"]}}}
                """).plugins().outboundHttp();
        assertThat(c.timeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(c.maxResponseBytes()).isEqualTo(4096);
        assertThat(c.allow()).containsEntry("lookup", List.of("api.example.com", "10.0.0.5:8443", "*.internal.example", "[::1]:9000"));
        assertThatThrownBy(() -> load("""
                admin: {secret: s}
                plugins: {hook_timeout: 1s, outbound_http: {timeout: 1s, allow: {a: "x.example", b: ["http://x.example/"]}}}
                """))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
                        "plugins.outbound_http.timeout: must be more than 0 and less than plugins.hook_timeout (1000 ms)",
                        "plugins.outbound_http.allow.a: must be a list of hosts (e.g. [\"api.example.com\", \"10.0.0.5:8443\", \"*.internal.example\"])",
                        "plugins.outbound_http.allow.b[0]: \"http://x.example/\" is not a host, host:port or *.domain"));
    }

    @Test
    void pluginRuntimeSettingsAreReadAndChecked() throws Exception {
        GatewayConfig c = load("admin: {secret: s}\nplugins: {hook_timeout: 250ms, pool_size: 3}\n");
        assertThat(c.plugins()).isEqualTo(new GatewayConfig.PluginsConfig(Duration.ofMillis(250), 3));
        assertThat(load("admin: {secret: s}\n").plugins().hookTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThatThrownBy(() -> load("admin: {secret: s}\nplugins: {hook_timeout: 0, pool_size: 0}\n"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
                        "plugins.hook_timeout: must be more than 0 (e.g. \"1s\")",
                        "plugins.pool_size: 0 is out of range (1..256)"));
    }

    @Test
    void malformedFileIsReportedWithItsLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("polygate.yaml");
        Files.writeString(f, "listen_port: 8080\napis: [ {api_id: a\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(f))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not valid YAML/JSON")
                .hasMessageContaining("line");
    }

    @Test
    void apisDirFilesAreLoadedAndNamedInErrors(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("apis"));
        Files.writeString(dir.resolve("apis/good.json"), "{\"api_id\":\"g\",\"listen_path\":\"/g\",\"target_url\":\"echo://\",\"auth\":\"none\"}");
        Files.writeString(dir.resolve("apis/bad.json"), "{\"api_id\":\"b\",\"listen_path\":\"/b\"}");
        Files.writeString(dir.resolve("polygate.yaml"), "admin: {secret: s}\napis_dir: apis\n");
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(dir.resolve("polygate.yaml")))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly("bad.json.target_url: is required"));
    }

    @Test
    void unknownKeysAreRefusedWithTheirPathAndTheNearestKnownKey() {
        String yaml = """
                admin: {secret: s, prot: 9001}
                storage: {typ: redis}
                listen_prot: 8080
                plugins: {outbound_http: {alow: {b: ["example.com"]}}}
                bundles: {public_key_file: k.pem}
                """;
        assertThatThrownBy(() -> load(yaml))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactlyInAnyOrder(
                        "admin.prot: unknown key (did you mean \"port\"?)",
                        "storage.typ: unknown key (did you mean \"type\"?)",
                        "listen_prot: unknown key (did you mean \"listen_port\"?)",
                        "plugins.outbound_http.alow: unknown key (did you mean \"allow\"?)",
                        "bundles.public_key_file: unknown key (known here: max_entries, max_file_bytes, max_total_bytes, max_zip_bytes,"
                                + " node_wait, poll_interval, public_key, require_strict_signature)"));
    }

    @Test
    void waitAtStartIsARedisSetting() throws Exception {
        assertThat(load("admin: {secret: s}\nstorage: {type: redis, wait_at_start: true}\n").storage().waitAtStart()).isTrue();
        assertThat(load("admin: {secret: s}\nstorage: {type: redis}\n").storage().waitAtStart()).isFalse();
    }

    @Test
    void aKeyWithAnEmptyOrNullValueIsStillKnown() {
        assertDoesNotThrow(() -> load("admin: {secret: s}\napis: []\nrate_limit:\nplugins: {}\n"));
    }

    @Test
    void apiDefinitionsKeepKeysPolygateDoesNotRead() {
        GatewayConfig c = assertDoesNotThrow(() -> load("""
                admin: {secret: s}
                storage: {type: memory, redis_uri: "redis://127.0.0.1:6379"}
                plugins: {outbound_http: {allow: {any-bundle-name: ["example.com"]}}}
                apis:
                  - {api_id: a, listen_path: /a/, target_url: "echo://", auth: none, org_id: "tyk-org", custom_label: x}
                """));
        assertThat(c.apis()).hasSize(1);
    }
}
