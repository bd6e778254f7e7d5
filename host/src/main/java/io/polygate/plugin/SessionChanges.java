package io.polygate.plugin;

import static io.polygate.sdk.json.Json.MAPPER;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.session.Session;
import java.util.Iterator;
import java.util.Map;

/** The session a hook hands back: whether a request hook changed it, and the session an auth_check hook built. */
public final class SessionChanges {
    private SessionChanges() {}

    /** The session after a request hook, or null when the hook left it as it was. */
    public static Session changedSession(HookCall call) {
        if (call.sessionJson == null) return null;
        JsonNode s = HookJson.read(call.sessionJson);
        if (!s.isObject()) return null;
        Session before = call.input().session();
        JsonNode old = before == null ? MAPPER.createObjectNode() : MAPPER.valueToTree(before);
        if (sameSession(old, s)) return null;
        return toSession(s);
    }

    /** The session an auth_check hook built (defaults when it sent none). */
    public static Session builtSession(HookCall call) {
        return call.sessionJson == null ? new Session() : toSession(HookJson.read(call.sessionJson));
    }

    /** The session a hook built; fields the hook set in Python as floats become numbers of the right kind. */
    public static Session toSession(JsonNode s) {
        try {
            ObjectNode copy = ((ObjectNode) s).deepCopy();
            if (copy.has("metadata") && !copy.has("meta_data")) copy.set("meta_data", copy.remove("metadata"));
            return MAPPER.treeToValue(copy, Session.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the session the hook returned is not valid: " + e.getOriginalMessage(), e);
        }
    }

    /** Every field the hook sent equals the old one (numbers by value); a field the old session lacks counts only if not a default. */
    private static boolean sameSession(JsonNode a, JsonNode b) {
        for (Iterator<Map.Entry<String, JsonNode>> it = b.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode o = a.get(e.getKey());
            JsonNode v = e.getValue();
            if (o == null) {
                if (isDefault(v)) continue;
                return false;
            }
            if (o.isNumber() && v.isNumber()) {
                if (o.asDouble() != v.asDouble()) return false;
            } else if (!o.equals(v)) {
                return false;
            }
        }
        return true;
    }

    /** A value a guest runtime sends for a field it did not set: null, 0, -1, false, "", empty. */
    static boolean isDefault(JsonNode v) {
        return v.isNull() || (v.isNumber() && (v.asDouble() == 0 || v.asDouble() == -1)) || (v.isBoolean() && !v.asBoolean())
                || (v.isTextual() && v.asText().isEmpty()) || (v.isContainerNode() && v.isEmpty());
    }
}
