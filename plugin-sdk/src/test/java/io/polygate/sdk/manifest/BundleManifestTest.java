package io.polygate.sdk.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BundleManifestTest {
    static BundleManifest parse(String json) throws ManifestException {
        return BundleManifest.parse("b", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsEveryHookKindAndTheIdExtractor() throws Exception {
        BundleManifest m = parse("""
                {"file_list": ["middleware.py"], "checksum": "c", "signature": "s",
                 "custom_middleware": {"driver": "python",
                   "pre": [{"name": "A"}, {"name": "B", "path": "middleware.py"}],
                   "auth_check": {"name": "Auth"}, "post_key_auth": [{"name": "C"}],
                   "post": [{"name": "D"}], "response": [{"name": "E"}],
                   "id_extractor": {"extract_from": "header", "extract_with": "regex",
                     "extractor_config": {"header_name": "Authorization", "regex_expression": "Bearer (\\\\w+)", "regex_match_index": 1}}}}
                """);
        CustomMiddleware cm = m.customMiddleware();
        assertThat(cm.driver()).isEqualTo(Driver.PYTHON);
        assertThat(cm.all()).extracting(HookRef::name).containsExactly("A", "B", "Auth", "C", "D", "E");
        assertThat(cm.all()).extracting(HookRef::type).containsExactly(HookType.PRE, HookType.PRE, HookType.AUTH_CHECK,
                HookType.POST_KEY_AUTH, HookType.POST, HookType.RESPONSE);
        assertThat(cm.pre().get(1).path()).isEqualTo("middleware.py");
        assertThat(cm.idExtractor().extractFrom()).isEqualTo(IdExtractorSpec.From.HEADER);
        assertThat(cm.idExtractor().name()).isEqualTo("Authorization");
        assertThat(cm.idExtractor().regex().matcher("Bearer abc").replaceAll("$1")).isEqualTo("abc");
        assertThat(m.checksum()).isEqualTo("c");
    }

    @Test
    void xpathExtractorIsReadAndABadExpressionRefused() throws Exception {
        IdExtractorSpec x = parse("""
                {"file_list": ["m.js"], "custom_middleware": {"driver": "js", "auth_check": {"name": "A"},
                 "id_extractor": {"extract_from": "body", "extract_with": "xpath", "extractor_config": {"xpath_expression": "//user/@id"}}}}
                """).customMiddleware().idExtractor();
        assertThat(x.extractWith()).isEqualTo(IdExtractorSpec.With.XPATH);
        assertThat(x.xpath()).isEqualTo("//user/@id");
        assertThatThrownBy(() -> parse("""
                {"file_list": ["m.js"], "custom_middleware": {"driver": "js", "auth_check": {"name": "A"},
                 "id_extractor": {"extract_from": "body", "extract_with": "xpath", "extractor_config": {"xpath_expression": "//user[@"}}}}
                """))
                .hasMessageContaining("custom_middleware.id_extractor.extractor_config.xpath_expression: not a valid XPath expression: \"//user[@\"");
    }

    @Test
    void tykJsDriverNamesAllMeanJs() throws Exception {
        for (String d : new String[] {"js", "otto", "goja", "javascript", "OTTO"})
            assertThat(parse("{\"file_list\": [\"a.js\"], \"custom_middleware\": {\"driver\": \"" + d + "\"}}").customMiddleware().driver())
                    .isEqualTo(Driver.JS);
    }

    @Test
    void emptyAuthCheckAndIdExtractorAsTykWritesThemAreAbsent() throws Exception {
        CustomMiddleware cm = parse("""
                {"file_list": ["m.py"], "custom_middleware": {"driver": "python", "pre": [{"name": "A"}],
                 "auth_check": {"name": ""}, "id_extractor": {"extract_from": "", "extract_with": "", "extractor_config": {}}}}
                """).customMiddleware();
        assertThat(cm.authCheck()).isNull();
        assertThat(cm.idExtractor()).isNull();
    }

    @Test
    void reportsEveryProblemWithItsPath() {
        assertThatThrownBy(() -> parse("""
                {"file_list": ["../etc/passwd", 3], "custom_middleware": {"driver": "lua", "pre": [{"path": "x"}],
                 "auth_check": {"name": "Auth"},
                 "id_extractor": {"extract_from": "cookie", "extract_with": "regex", "extractor_config": {"regex_expression": "("}}}}
                """))
                .isInstanceOf(ManifestException.class)
                .hasMessage("bundle \"b\": manifest.json: "
                        + "file_list[0]: \"../etc/passwd\" must be a relative path inside the bundle; "
                        + "file_list[1]: must be a file name; "
                        + "custom_middleware.driver: \"lua\" is not supported (python, js; otto, goja and javascript mean js); "
                        + "custom_middleware.pre[0].name: missing; "
                        + "custom_middleware.id_extractor.extract_from: \"cookie\" is not one of header, form, querystring, body; "
                        + "custom_middleware.id_extractor.extractor_config.regex_expression: not a valid RE2 regular expression (no backreferences or lookaround): missing closing ): `(`");
    }

    @Test
    void aRegexThatNeedsBacktrackingIsRefused() {
        assertThatThrownBy(() -> parse("""
                {"file_list": ["m.js"], "custom_middleware": {"driver": "js", "auth_check": {"name": "A"},
                 "id_extractor": {"extract_from": "header", "extract_with": "regex",
                  "extractor_config": {"header_name": "X", "regex_expression": "(a+)\\\\1"}}}}
                """))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("regex_expression: not a valid RE2 regular expression (no backreferences or lookaround): invalid escape sequence: `\\1`");
    }

    @Test
    void invalidJsonNamesLineAndColumn() {
        assertThatThrownBy(() -> parse("{\"file_list\": [\n"))
                .isInstanceOf(ManifestException.class)
                .hasMessageStartingWith("bundle \"b\": manifest.json: invalid JSON: ")
                .hasMessageContaining("line 2");
    }

    @Test
    void idExtractorWithoutAuthCheckIsRefused() {
        assertThatThrownBy(() -> parse("""
                {"file_list": ["m.py"], "custom_middleware": {"driver": "python",
                 "id_extractor": {"extract_from": "header", "extract_with": "value", "extractor_config": {"header_name": "Key"}}}}
                """))
                .hasMessage("bundle \"b\": manifest.json: custom_middleware.id_extractor: needs an auth_check hook "
                        + "(the extracted id caches the session it builds)");
    }
}
