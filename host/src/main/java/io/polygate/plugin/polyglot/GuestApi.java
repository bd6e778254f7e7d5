package io.polygate.plugin.polyglot;

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
 * {@code trigger_event}, {@code b64enc}, {@code b64dec}. Plugin data lives in the store under
 * {@value #DATA_PREFIX}{@code <key>}, as Tyk keeps it, so a {@code SET coprocess-data:rate:foo 15}
 * in Redis is what {@code tyk.get_data("rate:foo")} reads.
 *
 * <p>Threading: one instance per bundle version, called from any request thread. Blocking:
 * {@code get_data}/{@code store_data} are one store round trip. Errors: a bad argument is an
 * {@link IllegalArgumentException} naming the call (the guest sees an exception it may catch);
 * an unreachable store is a {@code StoreException} (the request gets a 503).
 */
public final class GuestApi {
    public static final String DATA_PREFIX = "coprocess-data:";

    private final String bundle;
    private final Store store;
    private final Logger log;

    public GuestApi(String bundle, Store store) {
        this.bundle = bundle;
        this.store = store;
        this.log = LoggerFactory.getLogger("plugin." + bundle);
    }

    @HostAccess.Export
    public void log(String message, String level) {
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
        return store.get(DATA_PREFIX + key);
    }

    @HostAccess.Export
    public void store_data(String key, String value, long ttlSeconds) {
        if (key == null) throw new IllegalArgumentException("tyk.store_data: key must be a string");
        if (value == null) throw new IllegalArgumentException("tyk.store_data: value must be a string");
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

    @HostAccess.Export
    public String b64dec(String text) {
        if (text == null) return "";
        try {
            return new String(Base64.getDecoder().decode(text.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("b64dec: not valid base64");
        }
    }
}
