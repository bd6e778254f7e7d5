package io.polygate.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * The keys a loader asked for, by the path of the mapping they belong to, so that any other key of
 * a mapping it read is reported as unknown, with the nearest known key as a suggestion
 * ({@code storage.typ: unknown key (did you mean "type"?)}). The {@link Node}s of one document
 * share one instance: every getter records the field it was asked for, present or not, so the
 * known keys of a mapping are exactly the ones its reader knows about.
 *
 * <p>Threading: not thread-safe; one document is read by one thread.
 */
final class KeysRead {
    /** A suggestion is made only this close (edits) to the typed key, or closer. */
    private static final int MAX_SUGGESTION_DISTANCE = 2;
    private static final LevenshteinDistance DISTANCE = new LevenshteinDistance(MAX_SUGGESTION_DISTANCE);

    private final Map<String, Set<String>> known = new HashMap<>();

    void record(String path, String field) { known.computeIfAbsent(path, p -> new TreeSet<>()).add(field); }

    /**
     * Reports every key of {@code json} (the document at {@code path}) and of the mappings below it
     * that nothing asked for. A mapping no reader looked into is not checked (it was not read,
     * e.g. because its parent was invalid); {@code skipped} top-level keys are not checked below.
     */
    void reportUnknown(JsonNode json, String path, Set<String> skipped, ConfigErrors errors) {
        if (json.isArray()) {
            for (int i = 0; i < json.size(); i++) reportUnknown(json.get(i), path + "[" + i + "]", Set.of(), errors);
            return;
        }
        Set<String> keys = known.get(path);
        if (!json.isObject() || keys == null) return;
        for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String fieldPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
            if (!keys.contains(field.getKey())) errors.unknownKey(fieldPath, nearest(field.getKey(), keys), keys);
            else if (!skipped.contains(field.getKey())) reportUnknown(field.getValue(), fieldPath, Set.of(), errors);
        }
    }

    /** The known key fewest edits away from {@code typed}, or null when none is close. */
    private static String nearest(String typed, Set<String> keys) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : keys) {
            int d = DISTANCE.apply(typed.toLowerCase(java.util.Locale.ROOT), k);
            if (d >= 0 && d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best;
    }
}
