package io.polygate.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.Objects;

/**
 * One API as the user defined it: Tyk Classic field names where Tyk has one. Immutable; built by
 * {@link ApiDefinitions#parse} which reports every invalid field with its path. {@code source}
 * keeps the JSON as given, so the admin API returns what was stored, unknown fields included.
 *
 * @param apiId                  unique id ({@code api_id})
 * @param name                   display name
 * @param listenPath             normalised: starts with '/', never ends with '/' unless it is "/"
 * @param stripListenPath        drop the listen path before proxying
 * @param targetUrl              upstream base URL, or {@code echo://} for the built-in echo upstream
 * @param auth                   how requests are authenticated
 * @param customMiddlewareBundle bundle name, or null
 * @param sessionLifetimeSeconds 0 = keys keep their own expiry
 * @param globalRateLimit        limit across all callers of the API, or null
 * @param disableRateLimit       skip key rate limits for this API
 * @param disableQuota           skip key quotas for this API
 * @param limits                 the API's own limits: algorithm, {@code global_rate_limit} (all
 *                               windows), {@code extended_paths.rate_limit}
 * @param ipLists                which client addresses may call the API
 * @param cors                   the API's CORS answers ({@link CorsSpec#OFF}: none)
 * @param upstream               several targets to balance between, or null: {@code targetUrl} only
 *                               (with several, {@code targetUrl} is the first of them)
 */
public record ApiDefinition(
        String apiId,
        String name,
        String listenPath,
        boolean stripListenPath,
        URI targetUrl,
        AuthSpec auth,
        String customMiddlewareBundle,
        long sessionLifetimeSeconds,
        RateSpec globalRateLimit,
        boolean disableRateLimit,
        boolean disableQuota,
        ObjectNode source,
        ApiLimits limits,
        IpLists ipLists,
        CorsSpec cors,
        UpstreamSpec upstream) {

    public ApiDefinition(String apiId, String name, String listenPath, boolean stripListenPath, URI targetUrl,
                         AuthSpec auth, String customMiddlewareBundle, long sessionLifetimeSeconds,
                         RateSpec globalRateLimit, boolean disableRateLimit, boolean disableQuota, ObjectNode source) {
        this(apiId, name, listenPath, stripListenPath, targetUrl, auth, customMiddlewareBundle, sessionLifetimeSeconds,
                globalRateLimit, disableRateLimit, disableQuota, source,
                globalRateLimit != null && globalRateLimit.isSet()
                        ? new ApiLimits(null, LimitSpec.of(globalRateLimit.rate(), globalRateLimit.per()), java.util.List.of())
                        : ApiLimits.NONE, IpLists.NONE, CorsSpec.OFF, null);
    }

    public ApiDefinition {
        Objects.requireNonNull(apiId, "api_id");
        Objects.requireNonNull(listenPath, "listen_path");
        Objects.requireNonNull(targetUrl, "target_url");
        Objects.requireNonNull(auth, "auth");
        if (limits == null) limits = ApiLimits.NONE;
        if (ipLists == null) ipLists = IpLists.NONE;
        if (cors == null) cors = CorsSpec.OFF;
    }

    public boolean isEcho() { return "echo".equalsIgnoreCase(targetUrl.getScheme()); }

    /** How an API authenticates callers. {@code header} is where the key is read from. */
    public record AuthSpec(AuthType type, String header) {
        public static final String DEFAULT_HEADER = "Authorization";
    }

    public enum AuthType { NONE, KEY, PLUGIN }

    /** {@code rate} requests per {@code per} seconds; a rate of 0 means no limit. */
    public record RateSpec(double rate, double per) {
        public boolean isSet() { return rate > 0 && per > 0; }
    }
}
