package io.polygate.admin;

import static io.polygate.admin.AdminEndpoint.OtherMethods.NAMED_405;
import static io.polygate.admin.AdminEndpoint.OtherMethods.NOT_FOUND;
import static io.polygate.admin.AdminEndpoint.OtherMethods.TYK_405;

import io.polygate.admin.AdminEndpoint.Call;
import io.polygate.admin.AdminEndpoint.OtherMethods;
import io.polygate.admin.AdminRequests.Reply;
import io.polygate.limit.Limits;
import io.polygate.observability.Metrics;
import io.polygate.observability.MetricsText;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jetty.http.pathmap.UriTemplatePathSpec;
import org.eclipse.jetty.server.handler.PathMappingsHandler;

/**
 * The admin API's paths (the table in {@link AdminHandler}) on Jetty's {@link PathMappingsHandler}:
 * which resource call answers each path and method. A path that is not here is not handled.
 */
final class AdminRoutes extends PathMappingsHandler {
    private static final String GET = "GET";
    private static final String POST = "POST";
    private static final String PUT = "PUT";
    private static final String DELETE = "DELETE";

    /** Each routed path's template and the methods it takes, as /openapi.json must describe them. */
    private final Map<String, List<String>> methodsByPath = new TreeMap<>();

    /** @param policies null: there is no policy store, and no {@code /policies} paths */
    AdminRoutes(HealthResource health, Metrics metrics, Limits limits, KeyResource keys, ApiResource apis,
                PolicyResource policies, BundleAdmin bundles, TykGatewayApi tyk) {
        endpoint("/health", NOT_FOUND, Map.of(GET, (request, path) -> health.get()));
        addMapping(new UriTemplatePathSpec("/metrics"), new MetricsText(metrics));
        methodsByPath.put("/metrics", List.of(GET));
        endpoint("/limits/stats", NAMED_405, Map.of(GET, (request, path) -> new Reply(200, limits.metrics().snapshot())));

        endpoint("/keys", NAMED_405, Map.of(GET, (request, path) -> keys.list(), POST, (request, path) -> keys.create(request)));
        endpoint("/keys/{key}", NAMED_405, Map.of(
                GET, (request, path) -> keys.get(request, path.get("key")),
                POST, (request, path) -> keys.create(path.get("key"), request),
                PUT, (request, path) -> keys.replace(request, path.get("key")),
                DELETE, (request, path) -> keys.delete(request, path.get("key"))));
        endpoint("/apis", NAMED_405, Map.of(GET, (request, path) -> apis.list(), POST, (request, path) -> apis.create(request)));
        endpoint("/apis/{id}", NAMED_405, Map.of(
                GET, (request, path) -> apis.get(path.get("id")),
                PUT, (request, path) -> apis.replace(path.get("id"), request),
                DELETE, (request, path) -> apis.delete(path.get("id"))));
        if (policies != null) {
            endpoint("/policies", NAMED_405, Map.of(GET, (request, path) -> policies.list(), POST, (request, path) -> policies.create(request)));
            endpoint("/policies/{id}", NAMED_405, Map.of(
                    GET, (request, path) -> policies.get(path.get("id")),
                    PUT, (request, path) -> policies.replace(path.get("id"), request),
                    DELETE, (request, path) -> policies.delete(path.get("id"))));
        }

        endpoint("/bundles", NAMED_405, Map.of(GET, (request, path) -> bundles.list(), POST, (request, path) -> bundles.upload(request)));
        endpoint("/bundles/{name}", NAMED_405, Map.of(
                GET, (request, path) -> bundles.get(path.get("name")),
                DELETE, (request, path) -> bundles.delete(path.get("name"))));
        Map<String, Call> reload = Map.of(POST, (request, path) -> bundles.reload());
        endpoint("/bundles/reload", NAMED_405, reload);
        endpoint("/bundles/{name}/reload", NAMED_405, reload);
        endpoint("/reload", NAMED_405, reload);

        tykRoutes(keys, apis, tyk, policies != null);
    }

    /** Tyk's Gateway API: its 405 and, where Tyk lists what Polygate's paths list, their answers. */
    private void tykRoutes(KeyResource keys, ApiResource apis, TykGatewayApi tyk, boolean withPolicies) {
        endpoint("/tyk/keys", TYK_405, Map.of(GET, (request, path) -> keys.list(), POST, (request, path) -> tyk.createKey(request)));
        endpoint("/tyk/keys/create", TYK_405, Map.of(POST, (request, path) -> tyk.createKey(request)));
        endpoint("/tyk/keys/{key}", TYK_405, Map.of(
                GET, (request, path) -> tyk.getKey(request, path.get("key")),
                POST, (request, path) -> tyk.saveKey(path.get("key"), request, false),
                PUT, (request, path) -> tyk.saveKey(path.get("key"), request, true),
                DELETE, (request, path) -> tyk.deleteKey(request, path.get("key"))));
        endpoint("/tyk/apis", TYK_405, Map.of(GET, (request, path) -> apis.list(), POST, (request, path) -> tyk.createApi(request)));
        endpoint("/tyk/apis/{id}", TYK_405, Map.of(
                GET, (request, path) -> tyk.getApi(path.get("id")),
                PUT, (request, path) -> tyk.replaceApi(path.get("id"), request),
                DELETE, (request, path) -> tyk.deleteApi(path.get("id"))));
        if (withPolicies) {
            endpoint("/tyk/policies", TYK_405, Map.of(GET, (request, path) -> tyk.policies(), POST, (request, path) -> tyk.createPolicy(request)));
            endpoint("/tyk/policies/{id}", TYK_405, Map.of(
                    GET, (request, path) -> tyk.getPolicy(path.get("id")),
                    PUT, (request, path) -> tyk.replacePolicy(path.get("id"), request),
                    DELETE, (request, path) -> tyk.deletePolicy(path.get("id"))));
        }
        Map<String, Call> reload = Map.of(GET, (request, path) -> tyk.reload());
        endpoint("/tyk/reload", TYK_405, reload);
        endpoint("/tyk/reload/group", TYK_405, reload);
    }

    private void endpoint(String template, OtherMethods others, Map<String, Call> calls) {
        AdminEndpoint endpoint = new AdminEndpoint(template, others, calls);
        addMapping(endpoint.path, endpoint);
        methodsByPath.put(template, calls.keySet().stream().sorted().toList());
    }

    /** Each routed path ({@code /keys/{key}}) and the methods it takes, sorted. */
    Map<String, List<String>> methodsByPath() { return Map.copyOf(methodsByPath); }
}
