package io.polygate.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.config.ApiDefinition;
import io.polygate.config.ApiDefinitions;
import io.polygate.config.ConfigErrors;
import io.polygate.config.Node;
import io.polygate.session.Policy;
import io.polygate.session.PolicyStore;
import io.polygate.session.Session;
import io.polygate.session.SessionStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * What every admin resource shares: the answer type, reading a bounded JSON body, and parsing
 * sessions, policies and API definitions with their field errors ({@link AdminError}). Stateless.
 */
final class AdminRequests {
    static final ObjectMapper JSON = io.polygate.sdk.json.Json.MAPPER;
    static final int MAX_BODY = 4 << 20;

    private AdminRequests() {}

    /** A JSON answer. */
    record Reply(int status, Object body) {}

    static Policy parsePolicy(String body, String id) {
        ConfigErrors errors = new ConfigErrors();
        Policy p = PolicyStore.parse(body, id, errors);
        if (p == null) throw invalid("invalid policy", errors);
        return p;
    }

    static ApiDefinition parseApi(JsonNode body) {
        ConfigErrors errors = new ConfigErrors();
        ApiDefinition api = ApiDefinitions.parse(new Node(body, "", errors));
        if (api == null || !errors.isEmpty()) throw invalid("invalid API definition", errors);
        return api;
    }

    static Session parseSession(String body) {
        ConfigErrors errors = new ConfigErrors();
        Session s = SessionStore.parse(body, errors);
        if (s == null) throw invalid("invalid session", errors);
        return s;
    }

    /** A session for a key being created: as {@link #parseSession}, with a basic auth password bcrypt-hashed as Tyk does. */
    static Session parseNewSession(String body) {
        Session s = parseSession(body);
        String problem = s.basic_auth_data == null ? null : s.basic_auth_data.hashForCreate();
        if (problem != null) throw new AdminError(400, "invalid session: " + problem, List.of(problem));
        return s;
    }

    static AdminError invalid(String what, ConfigErrors errors) {
        List<String> list = errors.list();
        return new AdminError(400, what + ": " + String.join("; ", list), list);
    }

    static ObjectNode status(String key, String action) {
        return JSON.createObjectNode().put("key", key).put("status", "ok").put("action", action);
    }

    /** The request body, at most {@value #MAX_BODY} bytes (413 beyond). */
    static byte[] readBytes(Request request, int max) throws IOException {
        long declared = request.getLength();
        if (declared > max) throw new AdminError(413, "body of " + declared + " bytes is over the limit of " + max);
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) throw new AdminError(413, "body is over the limit of " + max + " bytes");
            return b;
        }
    }

    static String readBody(Request request) throws IOException {
        byte[] b = readBytes(request, MAX_BODY);
        if (b.length == 0) throw new AdminError(400, "body: a JSON object is required");
        return new String(b, StandardCharsets.UTF_8);
    }

    static JsonNode readJson(Request request) throws IOException { return jsonObject(readBody(request)); }

    /** A body read as a JSON object, or the 400 saying why it is not one. */
    static JsonNode jsonObject(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || !n.isObject()) throw new AdminError(400, "body: must be a JSON object");
            return n;
        } catch (JsonProcessingException e) {
            throw new AdminError(400, "body: not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        }
    }
}
