package io.polygate.admin;

import static io.polygate.admin.AdminRequests.JSON;
import static io.polygate.admin.AdminRequests.parsePolicy;
import static io.polygate.admin.AdminRequests.readBody;
import static io.polygate.admin.AdminRequests.status;

import io.polygate.admin.AdminRequests.Reply;
import io.polygate.session.Policy;
import io.polygate.session.PolicyStore;
import java.io.IOException;
import org.eclipse.jetty.server.Request;

/** {@code /policies} and {@code /policies/{id}}. */
final class PolicyResource {
    private final PolicyStore policies;

    PolicyResource(PolicyStore policies) { this.policies = policies; }

    Reply list() { return new Reply(200, JSON.createObjectNode().putPOJO("policies", policies.list())); }

    Reply create(Request request) throws IOException {
        Policy p = parsePolicy(readBody(request), null);
        if (!policies.create(p)) throw new AdminError(409, "policy \"" + p.id + "\" already exists (use PUT /policies/" + p.id + " to change it)");
        return new Reply(201, status(p.id, "added"));
    }

    Reply get(String id) {
        Policy p = policies.find(id);
        if (p == null) throw noPolicy(id);
        return new Reply(200, p);
    }

    Reply replace(String id, Request request) throws IOException {
        Policy p = parsePolicy(readBody(request), id);
        if (policies.find(id) == null) throw noPolicy(id);
        policies.save(p);
        return new Reply(200, status(id, "modified"));
    }

    Reply delete(String id) {
        if (!policies.delete(id)) throw noPolicy(id);
        return new Reply(200, status(id, "deleted"));
    }

    private static AdminError noPolicy(String id) { return new AdminError(404, "no policy \"" + id + "\""); }
}
