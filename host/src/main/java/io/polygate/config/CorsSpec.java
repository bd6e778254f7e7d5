package io.polygate.config;

import java.util.List;

/**
 * An API's CORS settings, Tyk's {@code CORS} object. Origins are matched case-insensitively and may
 * be {@code *} (any) or hold one {@code *} ({@code https://*.example.com}); methods and headers are
 * matched case-insensitively, {@code *} in {@code allowedHeaders} allows any.
 *
 * @param allowedMethods     empty in the definition: GET, POST and HEAD (as Tyk's CORS library)
 * @param allowedHeaders     empty in the definition: Origin, Accept, Content-Type, X-Requested-With
 * @param maxAgeSeconds      how long a browser may cache a preflight answer; 0 = not sent
 * @param optionsPassthrough preflight requests go through the API's chain to the upstream instead
 *                           of being answered by the gateway
 */
public record CorsSpec(boolean enabled, List<String> allowedOrigins, List<String> allowedMethods, List<String> allowedHeaders,
                       List<String> exposedHeaders, boolean allowCredentials, long maxAgeSeconds, boolean optionsPassthrough) {
    public static final List<String> DEFAULT_METHODS = List.of("GET", "POST", "HEAD");
    public static final List<String> DEFAULT_HEADERS = List.of("Origin", "Accept", "Content-Type", "X-Requested-With");
    public static final CorsSpec OFF = new CorsSpec(false, List.of(), DEFAULT_METHODS, DEFAULT_HEADERS, List.of(), false, 0, false);

    public CorsSpec {
        allowedOrigins = List.copyOf(allowedOrigins);
        allowedMethods = List.copyOf(allowedMethods.isEmpty() ? DEFAULT_METHODS : allowedMethods);
        allowedHeaders = List.copyOf(allowedHeaders.isEmpty() ? DEFAULT_HEADERS : allowedHeaders);
        exposedHeaders = List.copyOf(exposedHeaders);
    }
}
