package io.polygate.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.sdk.testing.JsonArbitraries;
import io.polygate.testing.FuzzDocuments;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * {@link ApiDefinitions#parse} on any tree and on flat and Tyk Classic definitions mutated: it
 * returns a definition and records no error, or returns null with every error naming a field
 * under the definition's own path; it never throws (tries: 1,000, or 10,000 with {@code -Pfuzz}).
 */
class ApiDefinitionsPropertyTest {
    private static final String PATH = "apis[3]";

    @Example
    void theSeedDefinitionsParse() {
        assertThat(parse(FuzzDocuments.FLAT_API)).isNotNull();
        assertThat(parse(FuzzDocuments.TYK_API)).isNotNull();
    }

    @Property
    void anyTreeIsADefinitionOrNamesEachWrongField(@ForAll("trees") JsonNode definition) {
        parsesOrNamesEachWrongField(definition);
    }

    @Property
    void aDefinitionMutatedIsADefinitionOrNamesEachWrongField(@ForAll("mutated") JsonNode definition) {
        parsesOrNamesEachWrongField(definition);
    }

    @Provide
    Arbitrary<JsonNode> trees() { return JsonArbitraries.trees(FuzzDocuments.API_FIELDS, 5); }

    @Provide
    Arbitrary<JsonNode> mutated() {
        return Arbitraries.oneOf(JsonArbitraries.mutations(FuzzDocuments.FLAT_API, FuzzDocuments.API_FIELDS),
                JsonArbitraries.mutations(FuzzDocuments.TYK_API, FuzzDocuments.API_FIELDS));
    }

    private static void parsesOrNamesEachWrongField(JsonNode definition) {
        ConfigErrors errors = new ConfigErrors();
        ApiDefinition api = ApiDefinitions.parse(new Node(definition, PATH, errors));
        Statistics.collect(api == null ? "refused" : "parsed");
        if (api == null) {
            assertThat(errors.list()).isNotEmpty().allSatisfy(e -> assertThat(e).startsWith(PATH).hasSizeGreaterThan(PATH.length() + 2));
            return;
        }
        assertThat(errors.list()).isEmpty();
        assertThat(api.apiId()).matches("[A-Za-z0-9._~-]{1,128}");
        assertThat(api.listenPath()).startsWith("/");
        assertThat(api.targetUrl()).isNotNull();
        assertThat(api.source()).isEqualTo(definition);
    }

    private static ApiDefinition parse(JsonNode definition) {
        ConfigErrors errors = new ConfigErrors();
        ApiDefinition api = ApiDefinitions.parse(new Node(definition, PATH, errors));
        assertThat(errors.list()).isEmpty();
        return api;
    }
}
