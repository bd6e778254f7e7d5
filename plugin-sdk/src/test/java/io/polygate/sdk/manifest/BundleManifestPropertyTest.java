package io.polygate.sdk.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.sdk.json.Json;
import io.polygate.sdk.testing.JsonArbitraries;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link BundleManifest#parse} on anything: it returns a structurally valid manifest or throws
 * {@link ManifestException} listing each problem, never anything else (tries: 1,000, or 10,000
 * with {@code -Pfuzz}).
 */
class BundleManifestPropertyTest {
    static final List<String> FIELDS = List.of("file_list", "custom_middleware", "driver", "python", "js", "otto", "pre",
            "post", "post_key_auth", "response", "auth_check", "name", "path", "require_session", "id_extractor",
            "extract_from", "header", "body", "form", "querystring", "extract_with", "value", "regex", "xpath",
            "extractor_config", "header_name", "param_name", "regex_expression", "regex_match_index", "xpath_expression",
            "checksum", "signature", "middleware.py", "m.js", "Key", "//user/@id", "Bearer (\\w+)");

    static final JsonNode VALID = json("""
            {"file_list": ["middleware.py", "lib/util.py"], "checksum": "c", "signature": "s",
             "custom_middleware": {"driver": "python",
               "pre": [{"name": "A"}, {"name": "B", "path": "middleware.py"}],
               "auth_check": {"name": "Auth", "require_session": true}, "post_key_auth": [{"name": "C"}],
               "post": [{"name": "D"}], "response": [{"name": "E"}],
               "id_extractor": {"extract_from": "header", "extract_with": "regex",
                 "extractor_config": {"header_name": "Authorization", "regex_expression": "Bearer (\\\\w+)", "regex_match_index": 1}}}}
            """);

    /** The same with an XPath extractor on the body, so that the XPath compiler is reached too. */
    static final JsonNode VALID_XPATH = json("""
            {"file_list": ["m.js"], "custom_middleware": {"driver": "js", "auth_check": {"name": "A"},
             "id_extractor": {"extract_from": "body", "extract_with": "xpath", "extractor_config": {"xpath_expression": "//user/@id"}}}}
            """);

    @Property
    void anyBytesParseOrAreRefusedWithTheProblem(@ForAll("bytes") byte[] manifest) {
        parsesOrIsRefused(manifest);
    }

    @Property
    void anyJsonTreeParsesOrIsRefusedWithEachProblem(@ForAll("trees") JsonNode manifest) {
        parsesOrIsRefused(JsonArbitraries.toBytes(manifest));
    }

    @Property
    void aValidManifestMutatedParsesOrIsRefusedWithEachProblem(@ForAll("mutated") JsonNode manifest) {
        parsesOrIsRefused(JsonArbitraries.toBytes(manifest));
    }

    @Property
    void almostJsonIsRefusedWithTheProblem(@ForAll("broken") String manifest) {
        parsesOrIsRefused(manifest.getBytes(StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<byte[]> bytes() { return JsonArbitraries.bytes(); }

    @Provide
    Arbitrary<JsonNode> trees() { return JsonArbitraries.trees(FIELDS, 5); }

    @Provide
    Arbitrary<JsonNode> mutated() {
        return Arbitraries.oneOf(JsonArbitraries.mutations(VALID, FIELDS), JsonArbitraries.mutations(VALID_XPATH, FIELDS));
    }

    @Provide
    Arbitrary<String> broken() { return JsonArbitraries.brokenText(VALID); }

    /** Parses; a manifest that parses holds only what the parser promises, a refusal names each problem. */
    static void parsesOrIsRefused(byte[] manifest) {
        BundleManifest m;
        try {
            m = BundleManifest.parse("fuzz", manifest);
        } catch (ManifestException e) {
            assertThat(e.problems()).isNotEmpty().allSatisfy(p -> assertThat(p).isNotBlank());
            assertThat(e.getMessage()).startsWith("bundle \"fuzz\": manifest.json: ");
            return;
        }
        assertThat(m.fileList()).allSatisfy(f -> assertThat(f).isNotBlank().doesNotStartWith("/").doesNotContain(".."));
        CustomMiddleware cm = m.customMiddleware();
        assertThat(cm.driver()).isNotNull();
        assertThat(cm.all()).allSatisfy(h -> assertThat(h.name()).isNotBlank());
        IdExtractorSpec id = cm.idExtractor();
        if (id != null) {
            assertThat(cm.authCheck()).isNotNull();
            if (id.extractWith() == IdExtractorSpec.With.REGEX)
                assertThat(id.regexMatchIndex()).isBetween(0, id.regex().groupCount());
        }
        assertThat(m.sourceFiles()).isNotNull();
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
