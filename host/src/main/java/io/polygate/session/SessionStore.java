package io.polygate.session;

import static io.polygate.sdk.json.Json.MAPPER;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.polygate.config.ConfigErrors;
import io.polygate.config.IdentifierSyntax;
import io.polygate.storage.Store;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * Keys and their sessions in the {@link Store}, under {@value #PREFIX}{@code <id>} as Tyk keeps
 * them, each write with the session's lifetime ({@link SessionLifetime}) as its expiry. A key's
 * id ({@link #id}) is the lower-case hex SHA-256 of the key when keys are hashed (Tyk's
 * {@code hash_keys}, the default), else the key itself; every other method takes and lists ids,
 * so the key text is never stored. Sessions are read with {@code Json.MAPPER}, as hooks' sessions
 * are. Thread-safe; each call is one store round trip.
 */
public final class SessionStore {
    public static final String PREFIX = "apikey-";

    private final Store store;
    private final SessionLifetime lifetime;
    private final boolean hashKeys;
    private volatile Consumer<String> changedHere = id -> {};

    /** Keys hashed; sessions expire by their own {@code session_lifetime} only. */
    public SessionStore(Store store) { this(store, api -> -1, true); }

    /** Keys hashed. */
    public SessionStore(Store store, ToLongFunction<String> apiLifetimes) { this(store, apiLifetimes, true); }

    /**
     * @param apiLifetimes an API's {@code session_lifetime} in seconds by its id: 0 when it has none, -1 when there is no such API
     * @param hashKeys     whether a key's id is its SHA-256 ({@code hash_keys})
     */
    public SessionStore(Store store, ToLongFunction<String> apiLifetimes, boolean hashKeys) {
        this.store = store;
        this.lifetime = new SessionLifetime(apiLifetimes);
        this.hashKeys = hashKeys;
    }

    /** Whether ids are hashes of the keys. */
    public boolean hashesKeys() { return hashKeys; }

    /** The id a presented key is stored, cached and counted under: its SHA-256 in hex, or the key itself when keys are not hashed. */
    public String id(String key) { return hashKeys ? KeyHash.of(key) : key; }

    /** The session of the key with id {@code key}, or null if there is none. A stored value that no longer parses is treated as absent (and logged by the caller). */
    public Session find(String key) { return parseStored(key, store.get(PREFIX + key)); }

    /** {@link #find} without holding the thread: may complete on the store's I/O thread ({@link Store#getAsync}). */
    public CompletionStage<Session> findAsync(String key) { return store.getAsync(PREFIX + key).thenApply(json -> parseStored(key, json)); }

    private static Session parseStored(String key, String json) {
        if (json == null) return null;
        try {
            return MAPPER.readValue(json, Session.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored session of key " + redact(key) + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Whether lookups may block on the network. */
    public boolean remote() { return store.remote(); }

    public boolean exists(String key) { return store.get(PREFIX + key) != null; }

    /**
     * Calls {@code listener} with a key's id, on the writing thread, after {@link #save(String, Session)},
     * {@link #create} or {@link #delete} changed it: this node acts on its own change at once, before
     * the change feed's notice comes back. Not for sessions stored by requests.
     */
    public void whenChangedHere(Consumer<String> listener) { changedHere = listener; }

    /** Creates or replaces the key outside a request (admin API, {@code TykSetKeyData}). */
    public void save(String key, Session session) {
        session.last_updated = Instant.now().getEpochSecond();
        store.set(PREFIX + key, toJson(session), lifetime.ofKey(session));
        changedHere.accept(key);
    }

    /** Stores the session of a request to {@code apiId}; returns how long the store keeps it (null: until deleted). */
    public Duration save(String key, Session session, String apiId) {
        session.last_updated = Instant.now().getEpochSecond();
        Duration ttl = lifetime.onApi(session, apiId);
        store.set(PREFIX + key, toJson(session), ttl);
        return ttl;
    }

    /** Creates the key only if it does not exist yet; false if it did. */
    public boolean create(String key, Session session) {
        session.last_updated = Instant.now().getEpochSecond();
        if (session.date_created == null) session.date_created = Instant.now().toString();
        boolean created = store.setIfAbsent(PREFIX + key, toJson(session), lifetime.ofKey(session));
        if (created) changedHere.accept(key);
        return created;
    }

    public boolean delete(String key) {
        boolean deleted = store.delete(PREFIX + key);
        if (deleted) changedHere.accept(key);
        return deleted;
    }

    /** The ids of all keys: hashes when keys are hashed. */
    public List<String> list() {
        return store.keys(PREFIX).stream().map(k -> k.substring(PREFIX.length())).sorted().collect(Collectors.toList());
    }

    public static String toJson(Session s) {
        try {
            return MAPPER.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses and validates a session from an admin API body; every problem goes to {@code errors}
     * with its field path. Returns null when there was any.
     */
    public static Session parse(String body, ConfigErrors errors) {
        Session s;
        try {
            s = MAPPER.readValue(body, Session.class);
        } catch (JsonMappingException e) {
            String path = fieldPath(e);
            errors.add(path.isEmpty() ? "body" : path, e.getPath().isEmpty() ? "not valid JSON: " + e.getOriginalMessage() : "has the wrong type: " + firstLine(e.getOriginalMessage()));
            return null;
        } catch (JsonProcessingException e) {
            errors.add("body", "not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
            return null;
        }
        if (s == null) {
            errors.add("body", "must be a session object");
            return null;
        }
        validate(s, errors);
        return errors.isEmpty() ? s : null;
    }

    static void validate(Session s, ConfigErrors errors) {
        if (s.rate < 0) errors.outOfRange("rate", s.rate, ">= 0");
        if (s.per < 0) errors.outOfRange("per", s.per, ">= 0");
        if (s.rate > 0 && s.per <= 0) errors.add("per", "must be > 0 when rate is set");
        if (s.quota_max < -1) errors.outOfRange("quota_max", s.quota_max, "-1 (unlimited) or >= 0");
        if (s.quota_renewal_rate < 0) errors.outOfRange("quota_renewal_rate", s.quota_renewal_rate, ">= 0");
        if (s.throttle_interval < 0) errors.outOfRange("throttle_interval", s.throttle_interval, ">= 0");
        if (s.session_lifetime < 0) errors.outOfRange("session_lifetime", s.session_lifetime, ">= 0");
        if (s.access_rights == null) s.access_rights = new java.util.LinkedHashMap<>();
        s.access_rights.forEach((api, ad) -> {
            if (api.isBlank()) errors.add("access_rights", "API ids must not be empty");
            if (ad == null) errors.add("access_rights." + api, "must be an object (e.g. {\"api_id\": \"" + api + "\"})");
            else if (ad.api_id != null && !ad.api_id.equals(api))
                errors.add("access_rights." + api + ".api_id", "\"" + ad.api_id + "\" differs from its key \"" + api + "\"");
        });
        if (s.meta_data == null) s.meta_data = new java.util.LinkedHashMap<>();
        IdentifierSyntax.checkRateLimitPattern(s.meta_data, errors);
        if (s.apply_policies == null) s.apply_policies = new java.util.ArrayList<>();
        if (s.tags == null) s.tags = new java.util.ArrayList<>();
        if (s.basic_auth_data != null && s.basic_auth_data.hash_type != null && !s.basic_auth_data.hash_type.isEmpty()
                && !s.basic_auth_data.hash_type.equals(BasicAuthData.BCRYPT))
            errors.unknownValue("basic_auth_data.hash_type", s.basic_auth_data.hash_type, "bcrypt, or empty for a plain password");
    }

    /** The JSON path of a binding error ({@code access_rights.x.limit}, {@code tags[2]}), empty at the top. */
    static String fieldPath(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    static String firstLine(String s) {
        if (s == null) return "";
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }

    /** A key (or id) as it may appear in logs, masked as Tyk masks keys: its last 4 characters only ({@code ****abcd}). */
    public static String redact(String key) {
        return key == null ? "null" : key.length() <= 4 ? "****" : "****" + key.substring(key.length() - 4);
    }
}
