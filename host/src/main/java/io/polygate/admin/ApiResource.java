package io.polygate.admin;

import static io.polygate.admin.AdminRequests.methodNotAllowed;
import static io.polygate.admin.AdminRequests.parseApi;
import static io.polygate.admin.AdminRequests.readJson;
import static io.polygate.admin.AdminRequests.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.admin.AdminRequests.AdminError;
import io.polygate.admin.AdminRequests.Reply;
import io.polygate.assembly.ApiRegistry;
import io.polygate.config.ApiDefinition;
import java.io.IOException;
import org.eclipse.jetty.server.Request;

/** {@code /apis} and {@code /apis/{api_id}}: API definitions changed at run time. */
final class ApiResource {
    private final ApiRegistry apis;

    ApiResource(ApiRegistry apis) { this.apis = apis; }

    Reply route(Request request, String method, String[] seg) throws IOException {
        if (seg.length == 1) {
            if (method.equals("GET")) return new Reply(200, apis.list().stream().map(ApiDefinition::source).toList());
            if (method.equals("POST")) return createApi(readJson(request));
            throw methodNotAllowed(method, "GET, POST");
        }
        if (seg.length == 2) return api(request, method, seg[1]);
        return null;
    }

    private Reply api(Request request, String method, String id) throws IOException {
        switch (method) {
            case "GET": {
                ApiDefinition api = apis.get(id);
                if (api == null) throw new AdminError(404, "no API \"" + id + "\"");
                return new Reply(200, api.source());
            }
            case "PUT": {
                JsonNode body = readJson(request);
                if (body.isObject()) {
                    JsonNode given = body.get("api_id");
                    if (given == null || given.isNull()) ((ObjectNode) body).put("api_id", id);
                    else if (!id.equals(given.asText()))
                        throw new AdminError(400, "api_id: \"" + given.asText() + "\" differs from the path's \"" + id + "\"");
                }
                apis.update(parseApi(body));
                return new Reply(200, status(id, "modified"));
            }
            case "DELETE":
                if (!apis.delete(id)) throw new AdminError(404, "no API \"" + id + "\"");
                return new Reply(200, status(id, "deleted"));
            default:
                throw methodNotAllowed(method, "GET, PUT, DELETE");
        }
    }

    private Reply createApi(JsonNode body) {
        ApiDefinition api = parseApi(body);
        apis.create(api);
        return new Reply(201, status(api.apiId(), "added"));
    }
}
