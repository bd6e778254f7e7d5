/**
 * The admin HTTP API on its own port: the secret check, the router and body limits
 * ({@link io.polygate.admin.AdminHandler}), Tyk's {@code /tyk/...} resources
 * ({@link io.polygate.admin.TykGatewayApi}) and bundle uploads ({@link io.polygate.admin.BundleAdmin}).
 *
 * <p>Owns: what API clients see of the admin port. May use: {@code assembly} (the API registry),
 * {@code bundle}, {@code limit}, {@code chain} and the base ({@code config}, {@code observability},
 * {@code storage}, {@code session}); only the root package uses it.
 */
package io.polygate.admin;
