package io.polygate.limit;

import io.polygate.session.SessionStore;
import java.util.Locale;

/**
 * Every counter id the limiters and the quota count under, built here and nowhere else. The ids
 * are stored (as Redis keys, see {@code limit.redis.RedisKeys}), so they must stay byte-for-byte
 * the same across releases: a changed id silently resets every stored counter on upgrade.
 */
public final class CounterIds {
    private static final String KEY = "key:";

    private CounterIds() {}

    /** An API's {@code global_rate_limit}: its shared {@code counter} name when set, else the API's own. */
    static String api(String apiId, String sharedCounter) {
        return sharedCounter != null ? "c:" + sharedCounter : "api:" + apiId;
    }

    /** The {@code index}-th entry of an API's {@code extended_paths.rate_limit}. */
    static String apiEndpoint(String apiId, int index, String sharedCounter) {
        return sharedCounter != null ? "c:" + sharedCounter : "api:" + apiId + ":ep" + index;
    }

    /**
     * An API-scope counter split per caller: by the limit's {@code key} expression when it
     * resolved ({@code resolved}), else by the credential, else by the client address.
     */
    static String perCaller(String base, String resolved, String keyId, String clientAddress) {
        if (resolved != null) return base + ":id:" + resolved;
        return keyId != null ? base + ":" + KEY + keyId : base + ":ip:" + clientAddress;
    }

    /** The {@code index}-th of a limit's {@code count} windows: each has its own counter when there are several. */
    static String window(String counter, int index, int count) {
        return count == 1 ? counter : counter + ":w" + index;
    }

    /** A key's own counter: by its credential. */
    static String key(String keyId) { return KEY + keyId; }

    /** A key's own counter when its {@code rate_limit_pattern} resolved to {@code value}. */
    static String keyPattern(String value) { return "pattern:" + value; }

    /** A key's {@code access_rights[api].limit}. */
    static String keyApi(String keyCounter, String apiId) { return keyCounter + ":api:" + apiId; }

    /** A key's {@code access_rights[api].endpoints} entry for {@code method} on {@code path}. */
    static String keyEndpoint(String keyCounter, String apiId, String method, String path) {
        return keyApi(keyCounter, apiId) + ":ep:" + method.toUpperCase(Locale.ROOT) + " " + path;
    }

    /** A key's quota: one per key, or per API ({@code apiId} not null) when {@code access_rights[api].limit} sets it. */
    public static String quota(String keyId, String apiId) {
        return apiId == null ? "quota:" + keyId : "quota:" + keyId + ":api:" + apiId;
    }

    /** The id as logs may show it: a credential in it is cut to its start. */
    static String redacted(String counter) {
        return counter.startsWith(KEY) ? KEY + SessionStore.redact(counter.substring(KEY.length())) : counter;
    }
}
