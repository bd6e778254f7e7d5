/**
 * The admin HTTP API on its own port: the secret check, the router and the error answers
 * ({@link io.polygate.admin.AdminHandler}); one class per resource ({@link io.polygate.admin.KeyResource},
 * {@link io.polygate.admin.ApiResource}, {@link io.polygate.admin.PolicyResource}, bundle uploads in
 * {@link io.polygate.admin.BundleAdmin}); Tyk's {@code /tyk/...} resources
 * ({@link io.polygate.admin.TykGatewayApi}); and what they share, bounded JSON bodies and parsing
 * with field errors ({@link io.polygate.admin.AdminRequests}).
 *
 * <p>Owns: what API clients see of the admin port. May use: {@code assembly} (the API registry),
 * {@code bundle}, {@code limit}, {@code chain} and the base ({@code config}, {@code observability},
 * {@code storage}, {@code session}); only the root package uses it.
 */
package io.polygate.admin;
