package io.polygate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.GatewayFixture;
import io.polygate.testing.PluginTesting;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tyk's {@code id_extractor} from every source with {@code value}, {@code regex} and {@code xpath}, end to end:
 * the {@code auth_check} runs once for an id while the session it built lives, and again for
 * another id. One gateway, one small JS bundle per extractor (the extractor lives in the
 * manifest), the hook counting its own runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdExtractorIT {
    /** The hook: counts its runs (one context per bundle), shows the count upstream, caches for a minute. */
    private static final String MIDDLEWARE = """
            var runs = 0;
            function countingAuth(request, session, metadata, spec) {
              runs++;
              request.add_header('X-Auth-Runs', String(runs));
              session.id_extractor_deadline = Math.floor(Date.now() / 1000) + 60;
              metadata.token = 'tok-' + spec.APIID + '-' + runs;
              return [request, session, metadata];
            }
            """;

    /** One extractor: its manifest config, and a request to its API's URL carrying an id. */
    record Extractor(String name, String config, BiFunction<String, String, HttpRequest.Builder> request) {
        @Override public String toString() { return name; }
    }

    GatewayFixture gw;

    static List<Extractor> extractors() {
        return List.of(
                new Extractor("header-value", """
                        {"extract_from": "header", "extract_with": "value", "extractor_config": {"header_name": "X-User"}}""",
                        (url, id) -> get(url).header("X-User", id)),
                new Extractor("header-regex", """
                        {"extract_from": "header", "extract_with": "regex",
                         "extractor_config": {"header_name": "Authorization", "regex_expression": "Bearer (\\\\w+)", "regex_match_index": 1}}""",
                        (url, id) -> get(url).header("Authorization", "Bearer " + id)),
                new Extractor("querystring-value", """
                        {"extract_from": "querystring", "extract_with": "value", "extractor_config": {"param_name": "user"}}""",
                        (url, id) -> get(url + "?user=" + id + "&other=1")),
                new Extractor("querystring-regex", """
                        {"extract_from": "querystring", "extract_with": "regex",
                         "extractor_config": {"param_name": "user", "regex_expression": "^[a-z]+", "regex_match_index": 0}}""",
                        (url, id) -> get(url + "?user=" + id + "-" + System.nanoTime())),
                new Extractor("form-value", """
                        {"extract_from": "form", "extract_with": "value", "extractor_config": {"param_name": "user"}}""",
                        (url, id) -> form(url, "user=" + id + "&other=1")),
                new Extractor("form-regex", """
                        {"extract_from": "form", "extract_with": "regex",
                         "extractor_config": {"param_name": "user", "regex_expression": "id:(\\\\w+)", "regex_match_index": 1}}""",
                        (url, id) -> form(url, "user=id:" + id + "&nonce=" + System.nanoTime())),
                new Extractor("body-value", """
                        {"extract_from": "body", "extract_with": "value"}""",
                        (url, id) -> post(url, id)),
                new Extractor("body-regex", """
                        {"extract_from": "body", "extract_with": "regex",
                         "extractor_config": {"regex_expression": "\\"user\\": *\\"(\\\\w+)\\"", "regex_match_index": 1}}""",
                        (url, id) -> post(url, "{\"user\": \"" + id + "\", \"nonce\": " + System.nanoTime() + "}")),
                new Extractor("body-xpath", """
                        {"extract_from": "body", "extract_with": "xpath", "extractor_config": {"xpath_expression": "//user/@id"}}""",
                        (url, id) -> post(url, "<req><user id=\"" + id + "\"/><nonce>" + System.nanoTime() + "</nonce></req>")),
                new Extractor("header-xpath", """
                        {"extract_from": "header", "extract_with": "xpath",
                         "extractor_config": {"header_name": "X-Ident", "xpath_expression": "/ident/name"}}""",
                        (url, id) -> get(url).header("X-Ident", "<ident><name>" + id + "</name><at>" + System.nanoTime() + "</at></ident>")),
                new Extractor("form-xpath", """
                        {"extract_from": "form", "extract_with": "xpath",
                         "extractor_config": {"param_name": "doc", "xpath_expression": "/u"}}""",
                        (url, id) -> form(url, "doc=" + java.net.URLEncoder.encode("<u>" + id + "</u>", java.nio.charset.StandardCharsets.UTF_8)
                                + "&nonce=" + System.nanoTime())));
    }

    private static HttpRequest.Builder get(String url) { return HttpRequest.newBuilder(java.net.URI.create(url)); }

    private static HttpRequest.Builder form(String url, String body) {
        return get(url).header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static HttpRequest.Builder post(String url, String body) {
        return get(url).POST(HttpRequest.BodyPublishers.ofString(body));
    }

    @BeforeAll
    void start() throws Exception {
        System.setProperty("polygate.plugin.pool_size", "1");
        Path tmp = Files.createTempDirectory("polygate-idx");
        StringBuilder apis = new StringBuilder("bundles_dir: bundles\napis:\n");
        for (Extractor e : extractors()) {
            Path dir = Files.createDirectories(tmp.resolve("bundles").resolve(e.name()));
            Files.writeString(dir.resolve("middleware.js"), MIDDLEWARE);
            Files.writeString(dir.resolve("manifest.json"), """
                    {"file_list": ["middleware.js"], "custom_middleware": {"driver": "otto",
                      "auth_check": {"name": "countingAuth"}, "id_extractor": %s}}""".formatted(e.config()));
            apis.append("  - {api_id: ").append(e.name()).append(", listen_path: /").append(e.name())
                    .append(", strip_listen_path: true, target_url: \"echo://\", auth: plugin, custom_middleware_bundle: ")
                    .append(e.name()).append("}\n");
        }
        gw = GatewayFixture.start(apis.toString(), tmp);
        assertThat(PluginTesting.awaitBundles(gw.gateway(), Duration.ofMinutes(2), extractors().stream().map(Extractor::name).toArray(String[]::new)))
                .allSatisfy(s -> assertThat(s.state()).as(s.toString()).isEqualTo("ready"));
    }

    @AfterAll
    void stop() {
        System.clearProperty("polygate.plugin.pool_size");
        if (gw != null) gw.close();
    }

    /** The hook's run count the upstream saw, or null when the hook did not run (the cached session served). */
    private String authRuns(Extractor e, String id) throws Exception {
        String url = "http://127.0.0.1:" + gw.gateway().port() + "/" + e.name() + "/x";
        HttpResponse<String> r = gw.http().send(e.request().apply(url, id).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return GatewayFixture.json(r).path("headers").path("X-Auth-Runs").asText(null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("extractors")
    void authCheckRunsOnceWhileTheSessionCachedForTheExtractedIdLives(Extractor e) throws Exception {
        List<String> runs = new ArrayList<>();
        runs.add(authRuns(e, "alice"));
        runs.add(authRuns(e, "alice"));
        runs.add(authRuns(e, "alice"));
        runs.add(authRuns(e, "bob"));
        runs.add(authRuns(e, "bob"));
        assertThat(runs).containsExactly("1", null, null, "2", null);
    }
}
