/**
 * Plugin hooks as ordinary chain steps.
 *
 * <p>Flow of one hook call: a {@link io.polygate.plugin.HookStep} (pre, post_key_auth, post), the
 * {@code auth.PluginAuthStep} (auth_check) or the {@link io.polygate.plugin.ResponseHookUpstream}
 * (response) makes a {@link io.polygate.plugin.HookCall} over the exchange (the guest reads Tyk's
 * request, session, metadata, spec and response from it lazily) and hands it to
 * {@link io.polygate.plugin.LoadedBundle#submit}, which queues it for the bundle's contexts (each
 * on its own thread) and completes when the hook returned; {@link io.polygate.plugin.RequestChanges}, {@link io.polygate.plugin.ResponseChanges}
 * and {@link io.polygate.plugin.SessionChanges} then apply what the hook recorded in the call to
 * the exchange (headers, params, url, method, body, session, metadata) or end the request
 * ({@code return_overrides}). Failures
 * become answers in one place, {@link io.polygate.plugin.PluginFailures}. A
 * {@link io.polygate.plugin.SampleCall} is a call on a request file instead of a live request
 * ({@code polygate plugin run}). GraalVM stays inside {@code plugin.polyglot}, which uses this
 * package and is never used by it.
 *
 * <p>May use: {@code proxy} (response hooks wrap the upstream), {@code chain}, the plugin-sdk and
 * the base ({@code config}, {@code observability}, {@code storage}, {@code session}); used by
 * {@code auth}, {@code bundle} and {@code assembly}.
 */
package io.polygate.plugin;
