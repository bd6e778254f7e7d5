/**
 * Authentication steps: Tyk's auth token ({@link io.polygate.auth.KeyAuthStep}), JWT
 * ({@link io.polygate.auth.JwtAuthStep}, verified by {@link io.polygate.auth.JwtVerifier}), basic auth
 * ({@link io.polygate.auth.BasicAuthStep}), several of those tried in order
 * ({@link io.polygate.auth.FirstOfAuthStep}, over {@link io.polygate.auth.AuthMethod}), and a plugin's
 * auth_check ({@link io.polygate.auth.PluginAuthStep}, with its id extractor
 * {@link io.polygate.auth.IdExtractor} and the session cache {@link io.polygate.auth.SessionCacheStep}).
 * The session cache step puts the extracted id on the exchange; on success a step puts the key
 * and its session there.
 *
 * <p>Owns: who the caller is. May use: {@code plugin} (to run auth_check), {@code chain} and the
 * base ({@code session} for keys and policies); used by {@code bundle} and {@code assembly}.
 */
package io.polygate.auth;
