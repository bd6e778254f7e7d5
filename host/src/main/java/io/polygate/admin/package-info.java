/**
 * The admin HTTP API on its own port, as Jetty handlers: {@link io.polygate.admin.AdminHandler}
 * (wiring, the 404 and every error answer), the secret check in front
 * ({@link io.polygate.admin.AdminSecretCheck}, with the per-address limit of wrong secrets
 * {@link io.polygate.admin.AdminAuthFailures} and the masking of keys in logged paths
 * {@link io.polygate.admin.AdminLogPaths}), the paths on Jetty's {@code PathMappingsHandler}
 * ({@link io.polygate.admin.AdminRoutes}, one {@link io.polygate.admin.AdminEndpoint} a path, its
 * 405s), one class per resource ({@link io.polygate.admin.KeyResource},
 * {@link io.polygate.admin.ApiResource}, {@link io.polygate.admin.PolicyResource},
 * {@link io.polygate.admin.HealthResource}, bundle uploads in {@link io.polygate.admin.BundleAdmin}),
 * Tyk's {@code /tyk/...} resources ({@link io.polygate.admin.TykGatewayApi}); the one error type,
 * into which what the layers below throw is translated ({@link io.polygate.admin.AdminError}); and
 * what the resources share, bounded JSON bodies and parsing with field errors
 * ({@link io.polygate.admin.AdminRequests}).
 *
 * <p>Owns: what API clients see of the admin port. May use: {@code assembly} (the API registry),
 * {@code bundle}, {@code limit}, {@code chain} and the base ({@code config}, {@code observability},
 * {@code storage}, {@code session}); only the root package uses it.
 */
package io.polygate.admin;
