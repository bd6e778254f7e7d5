package io.polygate.plugin.polyglot;

import io.polygate.session.Session;
import io.polygate.session.SessionStore;
import io.polygate.config.ConfigErrors;
import io.polygate.storage.Store;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import org.graalvm.polyglot.HostAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only host object a plugin reaches, through {@code tyk.*} / {@code TykGateway.*} (Python's
 * {@code gateway} module and the JS prelude wrap it; plugins do not call it directly).
 *
 * <p>Allowed in every phase: {@code log}, {@code get_data}, {@code store_data},
 * {@code trigger_event}, the base64 helpers, and the rest of Tyk's JSVM API: outbound HTTP
 * ({@code http_request}, {@code batch_request}: {@link OutboundHttp}) and a key's session by key
 * id ({@code get_key_data}, {@code set_key_data}). Plugin data lives in the store under
 * {@value #DATA_PREFIX}{@code <key>}, as Tyk keeps it, so a {@code SET coprocess-data:rate:foo 15}
 * in Redis is what {@code tyk.get_data("rate:foo")} reads. As in Tyk the data is global: every
 * bundle reads and writes every {@code coprocess-data:} key. A value stored is at most
 * {@value #MAX_DATA_BYTES} bytes (UTF-8); guest log lines are limited by {@link GuestLogBudget}.
 *
 * <p>Threading: one instance per bundle version, called from any request thread. Blocking:
 * {@code get_data}/{@code store_data}/the key calls are one store round trip, an outbound call at
 * most its timeout. Errors: a bad argument to the {@code tyk.*} calls is an
 * {@link IllegalArgumentException} naming the call (the guest sees an exception it may catch);
 * an unreachable store is a {@code StoreException} (the request gets a 503). The JSVM calls fail
 * as Tyk's do: they log the problem and return nothing ({@code undefined}).
 */
public final class GuestApi {
    public static final String DATA_PREFIX = "coprocess-data:";
    /** The largest {@code store_data} value, in UTF-8 bytes. */
    public static final int MAX_DATA_BYTES = 64 * 1024;
    /** What Tyk's {@code TykGetKeyData} returns for a key that does not exist. */
    static final String KEY_NOT_FOUND = "{\"status\":\"error\",\"message\":\"Key not found\"}";

    private final String bundle;
    private final Store store;
    private final SessionStore sessions;
    private final OutboundHttp.Caller http;
    private final Logger log;
    private final GuestLogBudget logBudget;

    /** @param sessions where {@code TykGetKeyData}/{@code TykSetKeyData} find keys, by their id ({@link SessionStore#id}) */
    public GuestApi(String bundle, Store store, SessionStore sessions, OutboundHttp.Caller http) {
        this.bundle = bundle;
        this.store = store;
        this.sessions = sessions;
        this.http = http;
        this.log = LoggerFactory.getLogger("plugin." + bundle);
        this.logBudget = GuestLogBudget.of(log);
    }

    @HostAccess.Export
    public void log(String message, String level) {
        if (!logBudget.admit()) return;
        String msg = message == null ? "null" : message;
        switch (level == null ? "info" : level.toLowerCase(Locale.ROOT)) {
            case "error", "fatal", "panic" -> log.error("[{}] {}", bundle, msg);
            case "warn", "warning" -> log.warn("[{}] {}", bundle, msg);
            case "debug", "trace" -> log.debug("[{}] {}", bundle, msg);
            default -> log.info("[{}] {}", bundle, msg);
        }
    }

    @HostAccess.Export
    public String get_data(String key) {
        if (key == null) throw new IllegalArgumentException("tyk.get_data: key must be a string");
        io.polygate.plugin.DataReads.record(key);
        return store.get(DATA_PREFIX + key);
    }

    @HostAccess.Export
    public void store_data(String key, String value, long ttlSeconds) {
        if (key == null) throw new IllegalArgumentException("tyk.store_data: key must be a string");
        if (value == null) throw new IllegalArgumentException("tyk.store_data: value must be a string");
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_DATA_BYTES)
            throw new IllegalArgumentException("tyk.store_data: the value of \"" + key + "\" is " + bytes + " bytes, more than the "
                    + MAX_DATA_BYTES + " a plugin may store");
        store.set(DATA_PREFIX + key, value, ttlSeconds > 0 ? Duration.ofSeconds(ttlSeconds) : null);
    }

    @HostAccess.Export
    public void trigger_event(String name, String payload) {
        if (name == null) throw new IllegalArgumentException("tyk.trigger_event: name must be a string");
        log.info("[{}] event {}: {}", bundle, name, payload);
    }

    @HostAccess.Export
    public String b64enc(String text) {
        return text == null ? "" : Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Tyk's {@code b64dec}: padded base64, else unpadded; null (logged) when it is neither. */
    @HostAccess.Export
    public String b64dec(String text) {
        if (text == null) return "";
        return decode("b64dec", text);
    }

    /** Tyk's {@code rawb64enc}: base64 without padding. */
    @HostAccess.Export
    public String rawb64enc(String text) {
        return text == null ? "" : Base64.getEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Tyk's {@code rawb64dec}: base64 without padding only (Go's RawStdEncoding refuses {@code =}); null (logged) otherwise. */
    @HostAccess.Export
    public String rawb64dec(String text) {
        if (text == null) return "";
        if (text.indexOf('=') >= 0) {
            log.error("[{}] rawb64dec: padded input; use b64dec", bundle);
            return null;
        }
        return decode("rawb64dec", text);
    }

    private String decode(String call, String text) {
        try {
            return new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            log.error("[{}] {}: not valid base64: {}", bundle, call, e.getMessage());
            return null;
        }
    }

    /** {@code TykMakeHttpRequest(json)}; see {@link OutboundHttp.Caller#request}. */
    @HostAccess.Export
    public String http_request(String requestJson) {
        return requestJson == null ? null : http.request(requestJson);
    }

    /** {@code TykBatchRequest(json)}; see {@link OutboundHttp.Caller#batch}. */
    @HostAccess.Export
    public String batch_request(String batchJson) {
        return batchJson == null ? null : http.batch(batchJson);
    }

    /**
     * {@code TykGetKeyData(key, api_id)}: the key's stored session as JSON (Tyk's session shape), or
     * Tyk's {@value #KEY_NOT_FOUND}. The key is hashed on the way in unless {@code hash_keys} is
     * off. The API id is accepted and not needed: keys are gateway-wide.
     */
    @HostAccess.Export
    public String get_key_data(String key) {
        Session s = key == null || key.isEmpty() ? null : sessions.find(sessions.id(key));
        return s == null ? KEY_NOT_FOUND : SessionStore.toJson(s);
    }

    /**
     * {@code TykSetKeyData(key, session_json, suppress_reset)}: creates or replaces the key's
     * session (stored under its id, as {@link #get_key_data} finds it), validated as the admin API
     * validates it; an invalid one is logged (the key masked) and not stored.
     */
    @HostAccess.Export
    public void set_key_data(String key, String sessionJson) {
        if (key == null || key.isBlank() || key.length() > 256) {
            log.error("[{}] TykSetKeyData: the key must be 1..256 characters", bundle);
            return;
        }
        ConfigErrors errors = new ConfigErrors();
        Session s = SessionStore.parse(sessionJson == null ? "" : sessionJson, errors);
        if (s == null) {
            log.error("[{}] TykSetKeyData {}: invalid session: {}", bundle, SessionStore.redact(key), String.join("; ", errors.list()));
            return;
        }
        sessions.save(sessions.id(key), s);
    }
}
