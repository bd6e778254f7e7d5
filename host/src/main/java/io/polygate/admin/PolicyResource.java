package io.polygate.admin;

import static io.polygate.admin.AdminRequests.JSON;
import static io.polygate.admin.AdminRequests.methodNotAllowed;
import static io.polygate.admin.AdminRequests.parsePolicy;
import static io.polygate.admin.AdminRequests.readBody;
import static io.polygate.admin.AdminRequests.status;

import io.polygate.admin.AdminRequests.AdminError;
import io.polygate.admin.AdminRequests.Reply;
import io.polygate.session.Policy;
import io.polygate.session.PolicyStore;
import java.io.IOException;
import org.eclipse.jetty.server.Request;

/** {@code /policies} and {@code /policies/{id}}. */
final class PolicyResource {
    private final PolicyStore policies;

    PolicyResource(PolicyStore policies) { this.policies = policies; }

    Reply route(Request request, String method, String[] seg) throws IOException {
        if (seg.length == 1) {
            if (method.equals("GET")) return new Reply(200, JSON.createObjectNode().putPOJO("policies", policies.list()));
            if (method.equals("POST")) {
                Policy p = parsePolicy(readBody(request), null);
                if (!policies.create(p)) throw new AdminError(409, "policy \"" + p.id + "\" already exists (use PUT /policies/" + p.id + " to change it)");
                return new Reply(201, status(p.id, "added"));
            }
            throw methodNotAllowed(method, "GET, POST");
        }
        if (seg.length != 2) return null;
        String id = seg[1];
        switch (method) {
            case "GET": {
                Policy p = policies.find(id);
                if (p == null) throw new AdminError(404, "no policy \"" + id + "\"");
                return new Reply(200, p);
            }
            case "PUT": {
                Policy p = parsePolicy(readBody(request), id);
                if (policies.find(id) == null) throw new AdminError(404, "no policy \"" + id + "\"");
                policies.save(p);
                return new Reply(200, status(id, "modified"));
            }
            case "DELETE":
                if (!policies.delete(id)) throw new AdminError(404, "no policy \"" + id + "\"");
                return new Reply(200, status(id, "deleted"));
            default:
                throw methodNotAllowed(method, "GET, PUT, DELETE");
        }
    }
}
