package io.polygate.admin;

import static io.polygate.admin.AdminRequests.parseApi;
import static io.polygate.admin.AdminRequests.readJson;
import static io.polygate.admin.AdminRequests.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.admin.AdminRequests.Reply;
import io.polygate.assembly.ApiRegistry;
import io.polygate.config.ApiDefinition;
import java.io.IOException;
import org.eclipse.jetty.server.Request;

/** {@code /apis} and {@code /apis/{api_id}}: API definitions changed at run time. */
final class ApiResource {
    private final ApiRegistry apis;

    ApiResource(ApiRegistry apis) { this.apis = apis; }

    /** Also Tyk's {@code GET /tyk/apis}. */
    Reply list() { return new Reply(200, apis.list().stream().map(ApiDefinition::source).toList()); }

    Reply create(Request request) throws IOException {
        ApiDefinition api = parseApi(readJson(request));
        apis.create(api);
        return new Reply(201, status(api.apiId(), "added"));
    }

    Reply get(String id) {
        ApiDefinition api = apis.get(id);
        if (api == null) throw noApi(id);
        return new Reply(200, api.source());
    }

    /** The body's {@code api_id} may be left out; if given, it must be the path's. */
    Reply replace(String id, Request request) throws IOException {
        JsonNode body = readJson(request);
        JsonNode given = body.get("api_id");
        if (given == null || given.isNull()) ((ObjectNode) body).put("api_id", id);
        else if (!id.equals(given.asText()))
            throw AdminError.badField("api_id", "\"" + given.asText() + "\" differs from the path's \"" + id + "\"");
        apis.update(parseApi(body));
        return new Reply(200, status(id, "modified"));
    }

    Reply delete(String id) {
        if (!apis.delete(id)) throw noApi(id);
        return new Reply(200, status(id, "deleted"));
    }

    private static AdminError noApi(String id) { return new AdminError(404, "no API \"" + id + "\""); }
}
