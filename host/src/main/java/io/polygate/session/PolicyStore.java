package io.polygate.session;

import static io.polygate.sdk.json.Json.MAPPER;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.polygate.config.ConfigErrors;
import io.polygate.config.IdentifierSyntax;
import io.polygate.storage.Store;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Policies in the {@link Store}, under {@value #PREFIX}{@code <id>}, with a short read cache so the
 * request path does not read the store for every policy of every request: a change made on this
 * node applies at once, one made on another node within {@link #CACHE_TTL}. Thread-safe.
 */
public final class PolicyStore {
    public static final String PREFIX = "polygate-policy-";
    public static final Duration CACHE_TTL = Duration.ofSeconds(1);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._~-]{1,128}");

    private record Cached(Policy policy, long loadedNanos) {}

    private final Store store;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
    private volatile Consumer<String> changedHere = id -> {};

    public PolicyStore(Store store) { this.store = store; }

    /** The policy, or null if there is none. Cached for {@link #CACHE_TTL}. */
    public Policy find(String id) {
        Cached c = fresh(id);
        return c != null ? c.policy : loaded(id, store.get(PREFIX + id));
    }

    /**
     * The policies of {@code ids} (a missing one maps to null), read without holding the thread:
     * complete at once when all are cached, else on the store's I/O thread ({@link Store#getAsync}),
     * one round trip per policy not cached.
     */
    public CompletionStage<Map<String, Policy>> findAllAsync(List<String> ids) {
        return findFrom(ids, 0, new HashMap<>(4));
    }

    private CompletionStage<Map<String, Policy>> findFrom(List<String> ids, int from, Map<String, Policy> found) {
        for (int i = from; i < ids.size(); i++) {
            String id = ids.get(i);
            Cached c = fresh(id);
            if (c != null) {
                found.put(id, c.policy);
                continue;
            }
            int next = i + 1;
            return store.getAsync(PREFIX + id).thenCompose(json -> {
                found.put(id, loaded(id, json));
                return findFrom(ids, next, found);
            });
        }
        return CompletableFuture.completedFuture(found);
    }

    private Cached fresh(String id) {
        Cached c = cache.get(id);
        return c != null && System.nanoTime() - c.loadedNanos < CACHE_TTL.toNanos() ? c : null;
    }

    /** Parses what the store holds for {@code id} (null: none) and caches it. */
    private Policy loaded(String id, String json) {
        Policy p = null;
        if (json != null) {
            try {
                p = MAPPER.readValue(json, Policy.class);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("stored policy \"" + id + "\" is not valid JSON: " + e.getOriginalMessage(), e);
            }
        }
        cache.put(id, new Cached(p, System.nanoTime()));
        return p;
    }

    /**
     * Calls {@code listener} with a policy's id, on the writing thread, after {@link #save},
     * {@link #create} or {@link #delete} changed it: this node acts on its own change at once, before
     * the change feed's notice comes back.
     */
    public void whenChangedHere(Consumer<String> listener) { changedHere = listener; }

    public void save(Policy policy) {
        store.set(PREFIX + policy.id, toJson(policy), null);
        changed(policy.id);
    }

    public boolean create(Policy policy) {
        boolean created = store.setIfAbsent(PREFIX + policy.id, toJson(policy), null);
        if (created) changed(policy.id);
        return created;
    }

    public boolean delete(String id) {
        boolean existed = store.delete(PREFIX + id);
        if (existed) changed(id);
        return existed;
    }

    private void changed(String id) {
        cache.remove(id);
        changedHere.accept(id);
    }

    public List<String> list() {
        return store.keys(PREFIX).stream().map(k -> k.substring(PREFIX.length())).sorted().collect(Collectors.toList());
    }

    public static String toJson(Policy p) {
        try {
            return MAPPER.writeValueAsString(p);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses and validates an admin API body; problems go to {@code errors} by field. Null when there was any. */
    public static Policy parse(String body, String idFromPath, ConfigErrors errors) {
        Policy p;
        try {
            p = MAPPER.readValue(body, Policy.class);
        } catch (JsonMappingException e) {
            String path = SessionStore.fieldPath(e);
            errors.add(path.isEmpty() ? "body" : path, "has the wrong type or is not valid JSON: " + SessionStore.firstLine(e.getOriginalMessage()));
            return null;
        } catch (JsonProcessingException e) {
            errors.add("body", "not valid JSON: " + e.getOriginalMessage());
            return null;
        }
        if (p == null) { errors.add("body", "must be a policy object"); return null; }
        if (p.id == null) p.id = idFromPath;
        if (p.id == null || p.id.isBlank()) errors.missing("id");
        else if (!ID.matcher(p.id).matches()) errors.add("id", "\"" + p.id + "\" may only hold letters, digits and . _ ~ - (at most 128)");
        else if (idFromPath != null && !idFromPath.equals(p.id)) errors.add("id", "\"" + p.id + "\" differs from the path's \"" + idFromPath + "\"");
        if (p.rate < 0) errors.outOfRange("rate", p.rate, ">= 0");
        if (p.per < 0) errors.outOfRange("per", p.per, ">= 0");
        if (p.rate > 0 && p.per <= 0) errors.add("per", "must be > 0 when rate is set");
        if (p.quota_max < -1) errors.outOfRange("quota_max", p.quota_max, "-1 (unlimited) or >= 0");
        if (p.quota_renewal_rate < 0) errors.outOfRange("quota_renewal_rate", p.quota_renewal_rate, ">= 0");
        if (p.throttle_interval < 0) errors.outOfRange("throttle_interval", p.throttle_interval, ">= 0");
        if (p.throttle_retry_limit < 0) errors.outOfRange("throttle_retry_limit", p.throttle_retry_limit, ">= 0");
        IdentifierSyntax.checkRateLimitPattern(p.meta_data, errors);
        if (p.access_rights == null) p.access_rights = new java.util.LinkedHashMap<>();
        if (p.meta_data == null) p.meta_data = new java.util.LinkedHashMap<>();
        if (p.tags == null) p.tags = new java.util.ArrayList<>();
        return errors.isEmpty() ? p : null;
    }
}
