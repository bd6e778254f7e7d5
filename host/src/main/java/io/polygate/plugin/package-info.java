/**
 * Plugin hooks as ordinary chain steps.
 *
 * <p>Flow of one hook call: a {@link io.polygate.plugin.HookStep} (pre, post_key_auth, post), the
 * {@code auth.PluginAuthStep} (auth_check) or the {@link io.polygate.plugin.ResponseHookUpstream}
 * (response) builds the request state as JSON with {@link io.polygate.plugin.HookState} (Tyk's
 * object model as plain data: request, session, metadata, spec, response), hands it to
 * {@link io.polygate.plugin.LoadedBundle#invoke}, which runs the hook on a free context of the
 * bundle's pool, and applies the state the hook returned back to the exchange (headers, params,
 * url, method, body, session, metadata) or ends the request ({@code return_overrides}). Failures
 * become answers in one place, {@link io.polygate.plugin.PluginFailures}. GraalVM stays inside
 * {@code plugin.polyglot}.
 */
package io.polygate.plugin;
