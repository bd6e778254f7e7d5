package io.polygate.session;

import java.time.Duration;
import java.util.function.ToLongFunction;

/**
 * How long the store keeps a key's session after a write, as Tyk's {@code SessionState.Lifetime}
 * computes it (without {@code session_lifetime_respects_key_expiration}, which Polygate ignores):
 * the session's own {@code session_lifetime} when it is above 0, else the API definition's
 * {@code session_lifetime}. Null means until deleted. This is when the stored session is gone
 * (requests then get 403 {@code Access to this API has been disallowed}); {@code expires} is
 * separate and is checked on every request as before. Thread-safe.
 */
final class SessionLifetime {
    private final ToLongFunction<String> apiSeconds;

    /** @param apiSeconds an API's {@code session_lifetime} in seconds by its id: 0 when it has none, -1 when there is no such API */
    SessionLifetime(ToLongFunction<String> apiSeconds) { this.apiSeconds = apiSeconds; }

    /** A session written on a request to {@code apiId} (Tyk: that API's lifetime). */
    Duration onApi(Session s, String apiId) {
        if (s.session_lifetime > 0) return Duration.ofSeconds(s.session_lifetime);
        return seconds(apiSeconds.applyAsLong(apiId));
    }

    /**
     * A session written outside a request (admin API): the APIs of its own {@code access_rights}
     * decide (not those its policies grant; APIs that do not exist are skipped). Tyk writes the
     * key once per API, in no set order, so the last API's lifetime wins there; here the longest
     * does, and an API without one keeps the key until deleted, so no API loses a key it serves.
     */
    Duration ofKey(Session s) {
        if (s.session_lifetime > 0) return Duration.ofSeconds(s.session_lifetime);
        if (s.access_rights == null || s.access_rights.isEmpty()) return null;
        long longest = 0;
        for (String api : s.access_rights.keySet()) {
            long seconds = apiSeconds.applyAsLong(api);
            if (seconds == 0) return null;
            longest = Math.max(longest, seconds);
        }
        return seconds(longest);
    }

    private static Duration seconds(long s) { return s > 0 ? Duration.ofSeconds(s) : null; }
}
