package io.polygate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /openapi.json} against the paths {@link AdminRoutes} routes: every routed path and method
 * is described, nothing is described that is not routed, and the document is valid OpenAPI 3.1.
 */
class AdminOpenApiTest {
    /** Served by {@link DashboardFiles}, in front of the routes. */
    static final Map<String, List<String>> PUBLIC = Map.of(DashboardFiles.OPENAPI, List.of("GET"), DashboardFiles.UI + "/", List.of("GET"));

    static SwaggerParseResult parsed;

    @BeforeAll
    static void read() throws IOException {
        try (InputStream in = AdminOpenApiTest.class.getClassLoader().getResourceAsStream(DashboardFiles.BASE + "openapi.json")) {
            assertThat(in).as("openapi.json in the jar").isNotNull();
            parsed = new OpenAPIV3Parser().readContents(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** With a policy store, so that the {@code /policies} paths are routed too; no call is made. */
    static Map<String, List<String>> routed() {
        AdminRoutes routes = new AdminRoutes(null, null, null, null, null, new PolicyResource(null), null, null);
        return routes.methodsByPath();
    }

    @Test
    void theDocumentIsValidOpenApi31() {
        assertThat(parsed.getMessages()).as("parser messages").isEmpty();
        assertThat(parsed.getOpenAPI().getOpenapi()).startsWith("3.1.");
        assertThat(parsed.getOpenAPI().getComponents().getSecuritySchemes().get("secret").getName()).isEqualTo(AdminSecretCheck.SECRET_HEADER);
    }

    @Test
    void everyRoutedPathAndMethodIsDescribedAndNothingElse() {
        Map<String, List<String>> expected = new TreeMap<>(routed());
        expected.putAll(PUBLIC);
        Set<String> routed = operations(expected);
        Set<String> documented = operations(described(parsed.getOpenAPI()));
        assertThat(without(routed, documented)).as("routed, but missing from openapi.json").isEmpty();
        assertThat(without(documented, routed)).as("in openapi.json, but not routed").isEmpty();
    }

    /** {@code "GET /keys/{key}"} for each path and method. */
    private static Set<String> operations(Map<String, List<String>> methodsByPath) {
        Set<String> out = new TreeSet<>();
        methodsByPath.forEach((path, methods) -> methods.forEach(m -> out.add(m + " " + path)));
        return out;
    }

    private static Set<String> without(Set<String> all, Set<String> removed) {
        Set<String> out = new TreeSet<>(all);
        out.removeAll(removed);
        return out;
    }

    @Test
    void theRoutesAreReadFromAdminRoutes() {
        assertThat(routed()).containsEntry("/keys/{key}", List.of("DELETE", "GET", "POST", "PUT"))
                .containsEntry("/metrics", List.of("GET")).containsKey("/tyk/reload/group").containsKey("/policies/{id}");
    }

    private static Map<String, List<String>> described(OpenAPI api) {
        Map<String, List<String>> out = new TreeMap<>();
        for (Map.Entry<String, PathItem> p : api.getPaths().entrySet())
            out.put(p.getKey(), p.getValue().readOperationsMap().keySet().stream().map(m -> m.name().toUpperCase(Locale.ROOT)).sorted().toList());
        return out;
    }
}
