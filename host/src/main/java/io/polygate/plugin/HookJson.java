package io.polygate.plugin;

import static io.polygate.sdk.json.Json.MAPPER;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reading and writing the JSON of the hook path (maps cross the guest boundary as JSON strings),
 * with {@code Json.MAPPER}: a session reads the same from a hook as from the store.
 */
public final class HookJson {
    private HookJson() {}

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A state a hook returned, as a tree; not JSON is the hook's (or runtime's) bug. */
    public static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a hook returned a state that is not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
