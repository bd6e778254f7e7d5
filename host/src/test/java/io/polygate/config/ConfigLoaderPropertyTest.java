package io.polygate.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.polygate.sdk.json.Json;
import io.polygate.sdk.testing.JsonArbitraries;
import io.polygate.testing.FuzzDocuments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * {@link ConfigLoader} on anything: a file of any bytes, YAML with its own traps (NaN, aliases,
 * tags, deep nesting), any tree, the full config mutated. It returns a config or throws
 * {@link ConfigException} listing each problem with its path, never anything else (tries: 1,000,
 * or 10,000 with {@code -Pfuzz}).
 */
class ConfigLoaderPropertyTest {
    private static final ObjectMapper YAML = Json.of(new YAMLFactory());
    private static final String YAML_TEXT = yaml(FuzzDocuments.CONFIG);

    /** YAML scalars that JSON has no word for, and tags. */
    private static final List<String> YAML_VALUES = List.of(".nan", ".NaN", ".inf", "-.inf", "~", "null", "yes", "off",
            "0x1F", "0o17", "1_000", "2001-12-14", "!!binary aGVsbG8=", "!!str 5", "!!float 1", "!!int x", "!!map {}",
            "!!set {a, b}", "!!omap [a: 1]", "!java.lang.Runtime {}", "&anchor x", "*missing", "*anchor", "? complex",
            "[1, 2", "{a: 1, a: 2}", "|\n  block", ">-\n  folded", "'quoted''", "\"\\u00\"", "@reserved", "`tick`",
            "- a\n- b", "%TAG ! tag:x,2000:", "1e400", "99999999999999999999999");

    private final ConfigLoader loader = new ConfigLoader(Map.of());
    private Path dir;

    @BeforeProperty
    void createFolder() throws IOException { dir = Files.createTempDirectory("config-property"); }

    @AfterProperty
    void deleteFolder() throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @Example
    void theSeedConfigLoads() throws IOException {
        GatewayConfig c = loader.load(FuzzDocuments.CONFIG, dir, "seed");
        assertThat(c.apis()).extracting(ApiDefinition::apiId).containsExactly("orders", "tyk1");
        assertThat(loader.load(YAML.readTree(YAML_TEXT), dir, "seed")).isEqualTo(c);
    }

    @Property
    void aFileOfAnyBytesLoadsOrIsRefusedWithTheProblem(@ForAll("bytes") byte[] file) throws IOException {
        loadsOrIsRefused(file);
    }

    @Property
    void yamlWithItsOwnTrapsLoadsOrIsRefusedWithEachProblem(@ForAll("yamlText") String file) throws IOException {
        loadsOrIsRefused(file.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Property
    void anyTreeLoadsOrIsRefusedWithEachProblem(@ForAll("trees") JsonNode config) {
        loadsOrIsRefused(() -> loader.load(config, dir, "fuzz"));
    }

    @Property
    void theFullConfigMutatedLoadsOrIsRefusedWithEachProblem(@ForAll("mutated") JsonNode config) {
        loadsOrIsRefused(() -> loader.load(config, dir, "fuzz"));
    }

    @Provide
    Arbitrary<byte[]> bytes() { return JsonArbitraries.bytes(); }

    @Provide
    Arbitrary<JsonNode> trees() { return JsonArbitraries.trees(FuzzDocuments.CONFIG_FIELDS, 5); }

    @Provide
    Arbitrary<JsonNode> mutated() { return JsonArbitraries.mutations(FuzzDocuments.CONFIG, FuzzDocuments.CONFIG_FIELDS); }

    /** The full config as YAML with values swapped for YAML's own, behind an alias bomb, or nested too deep. */
    @Provide
    Arbitrary<String> yamlText() {
        String[] lines = YAML_TEXT.split("\n");
        Arbitrary<String> edited = Combinators.combine(Arbitraries.integers().between(0, lines.length - 1).list().ofMinSize(1).ofMaxSize(4),
                Arbitraries.of(YAML_VALUES).list().ofSize(4)).as((at, values) -> {
                    String[] out = lines.clone();
                    for (int i = 0; i < at.size(); i++) {
                        String line = out[at.get(i)];
                        int colon = line.indexOf(": ");
                        out[at.get(i)] = colon < 0 ? line + " " + values.get(i) : line.substring(0, colon + 2) + values.get(i);
                    }
                    return String.join("\n", out);
                });
        Arbitrary<String> aliasBomb = Arbitraries.integers().between(2, 12).map(levels -> {
            StringBuilder b = new StringBuilder("admin: {secret: s}\nl0: &l0 [x, x, x, x, x, x, x, x, x]\n");
            for (int i = 1; i < levels; i++) b.append("l").append(i).append(": &l").append(i).append(" [")
                    .append(String.join(", ", java.util.Collections.nCopies(9, "*l" + (i - 1)))).append("]\n");
            return b.append("apis: *l").append(levels - 1).append('\n').toString();
        });
        Arbitrary<String> nested = Arbitraries.integers().between(10, 3_000).map(depth -> "apis: " + "[".repeat(depth) + "]".repeat(depth));
        Arbitrary<String> indented = Arbitraries.integers().between(10, 1_000).map(depth -> {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < depth; i++) b.append(" ".repeat(i)).append("k").append(i).append(":\n");
            return b.toString();
        });
        return Arbitraries.frequencyOf(Tuple.of(6, edited), Tuple.of(1, aliasBomb),
                Tuple.of(1, nested), Tuple.of(1, indented),
                Tuple.of(1, JsonArbitraries.brokenText(FuzzDocuments.CONFIG)));
    }

    private void loadsOrIsRefused(byte[] file) throws IOException {
        Path f = Files.write(dir.resolve("polygate.yaml"), file);
        loadsOrIsRefused(() -> loader.load(f));
    }

    /** Loads; a config that loads keeps the promises of {@link GatewayConfig}, a refusal names each problem. */
    private static void loadsOrIsRefused(java.util.function.Supplier<GatewayConfig> load) {
        GatewayConfig c;
        try {
            c = load.get();
        } catch (ConfigException e) {
            assertThat(e.errors()).isNotEmpty().allSatisfy(problem -> assertThat(problem).isNotBlank());
            return;
        }
        assertThat(c.admin().secret()).isNotEmpty();
        assertThat(c.listenPort()).isBetween(0, 65535);
        Set<String> ids = new HashSet<>();
        List<String> paths = new ArrayList<>();
        for (ApiDefinition api : c.apis()) {
            assertThat(ids.add(api.apiId())).as("api_id %s once", api.apiId()).isTrue();
            assertThat(api.listenPath()).startsWith("/");
            paths.add(api.listenPath());
        }
        assertThat(paths).doesNotHaveDuplicates();
    }

    private static String yaml(JsonNode doc) {
        try {
            return YAML.writeValueAsString(doc);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
