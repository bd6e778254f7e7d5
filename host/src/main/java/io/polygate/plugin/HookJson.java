package io.polygate.plugin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The JSON mapper of the hook path (maps cross the guest boundary as JSON strings) and its read/write helpers. */
public final class HookJson {
    /** Lenient on what guests send: unknown session fields are ignored, Python's floats accepted as integers. */
    public static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, true);

    private HookJson() {}

    public static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A state a hook returned, as a tree; not JSON is the hook's (or runtime's) bug. */
    public static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a hook returned a state that is not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
