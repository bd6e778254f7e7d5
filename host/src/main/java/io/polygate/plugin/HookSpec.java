package io.polygate.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.config.ApiDefinition;
import io.polygate.sdk.json.Json;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code spec} a hook gets (Tyk's APIID, OrgID, APIName, config_data as a JSON string), built
 * once per route. Guests parse it once per context and keep it under {@link #id()}, so a hook call
 * does not carry the spec across the boundary.
 */
public final class HookSpec {
    private static final AtomicInteger IDS = new AtomicInteger();

    private final int id = IDS.incrementAndGet();
    private final ObjectNode node;
    private final String json;

    public HookSpec(ObjectNode node) {
        this.node = node;
        this.json = HookJson.write(node);
    }

    public static HookSpec of(ApiDefinition api) {
        ObjectNode spec = Json.MAPPER.createObjectNode();
        spec.put("APIID", api.apiId());
        spec.put("OrgID", api.source() == null ? "" : api.source().path("org_id").asText(""));
        spec.put("APIName", api.name() == null ? "" : api.name());
        // Tyk: config_data_disabled hands hooks "{}" whatever config_data holds
        JsonNode cd = api.source() == null || api.source().path("config_data_disabled").asBoolean(false) ? null : api.source().get("config_data");
        spec.put("config_data", cd == null || cd.isNull() ? "{}" : cd.isTextual() ? cd.asText() : cd.toString());
        return new HookSpec(spec);
    }

    /** Unique in this process; a rebuilt route gets a new one. */
    public int id() { return id; }

    public String json() { return json; }

    ObjectNode node() { return node; }
}
