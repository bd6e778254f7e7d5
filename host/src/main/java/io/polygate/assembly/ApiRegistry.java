package io.polygate.assembly;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.polygate.proxy.ChainHandler;
import io.polygate.config.ApiDefinition;
import io.polygate.proxy.Route;
import io.polygate.proxy.RouteTable;
import io.polygate.sdk.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The APIs the gateway serves. Every change builds the routes of the new set, then swaps the
 * route table in one step: a request sees the old set or the new one, never a mix, and a change
 * that fails to build leaves the old set serving. With an {@code apis_dir}, changes are written
 * there (one {@code <api_id>.json} each, written to a temp file and moved into place) before they
 * take effect, so they survive a restart.
 *
 * <p>Thread-safe: changes are serialised; readers never block.
 */
public final class ApiRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ApiRegistry.class);
    private static final ObjectMapper JSON = Json.PRETTY;

    /** Why a change was refused; {@code status} is the HTTP status the admin API answers with. */
    public static final class Conflict extends RuntimeException {
        public final int status;
        Conflict(int status, String message) { super(message); this.status = status; }
    }

    private final ChainHandler chain;
    private final RouteBuilder builder;
    private final Path apisDir;
    private final Map<String, ApiDefinition> apis = new LinkedHashMap<>();

    public ApiRegistry(ChainHandler chain, RouteBuilder builder, Path apisDir, Collection<ApiDefinition> initial) {
        this.chain = chain;
        this.builder = builder;
        this.apisDir = apisDir;
        for (ApiDefinition api : initial) apis.put(api.apiId(), api);
        rebuild(apis);
    }

    public synchronized List<ApiDefinition> list() { return List.copyOf(apis.values()); }

    public synchronized ApiDefinition get(String apiId) { return apis.get(apiId); }

    /** The API's {@code session_lifetime} in seconds: 0 when it has none, -1 when there is no such API. */
    public long sessionLifetimeSeconds(String apiId) {
        ApiDefinition api = get(apiId);
        return api == null ? -1 : api.sessionLifetimeSeconds();
    }

    public synchronized void create(ApiDefinition api) {
        if (apis.containsKey(api.apiId())) throw new Conflict(409, "API \"" + api.apiId() + "\" already exists (use PUT /apis/" + api.apiId() + " to change it)");
        apply(api.apiId(), api);
    }

    public synchronized void update(ApiDefinition api) {
        if (!apis.containsKey(api.apiId())) throw new Conflict(404, "no API \"" + api.apiId() + "\"");
        apply(api.apiId(), api);
    }

    public synchronized boolean delete(String apiId) {
        if (!apis.containsKey(apiId)) return false;
        apply(apiId, null);
        return true;
    }

    /** Rebuilds every route (for instance after a bundle changed). */
    public synchronized void refresh() { rebuild(apis); }

    private void apply(String apiId, ApiDefinition api) {
        Map<String, ApiDefinition> next = new LinkedHashMap<>(apis);
        if (api == null) next.remove(apiId);
        else next.put(apiId, api);
        if (api != null) {
            for (ApiDefinition other : next.values()) {
                if (!other.apiId().equals(apiId) && other.listenPath().equals(api.listenPath()))
                    throw new Conflict(409, "listen_path \"" + api.listenPath() + "\" is already used by API \"" + other.apiId() + "\"");
            }
        }
        RouteTable table = buildTable(next);   // fails before anything changed
        persist(apiId, api);
        apis.clear();
        apis.putAll(next);
        chain.routes(table);
        builder.retainOnly(apis.keySet());
        LOG.info("api {} {}; {} APIs live", apiId, api == null ? "deleted" : "updated", apis.size());
    }

    private void rebuild(Map<String, ApiDefinition> set) {
        chain.routes(buildTable(set));
        builder.retainOnly(set.keySet());
    }

    private RouteTable buildTable(Map<String, ApiDefinition> set) {
        List<Route> routes = new ArrayList<>(set.size());
        for (ApiDefinition def : set.values()) routes.add(builder.build(def));
        return new RouteTable(routes);
    }

    private void persist(String apiId, ApiDefinition api) {
        if (apisDir == null) return;
        Path file = apisDir.resolve(apiId + ".json");
        try {
            if (api == null) {
                Files.deleteIfExists(file);
                return;
            }
            Files.createDirectories(apisDir);
            Path tmp = Files.createTempFile(apisDir, "." + apiId, ".tmp");
            Files.write(tmp, JSON.writeValueAsBytes(api.source()));
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
