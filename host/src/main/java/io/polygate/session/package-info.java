/**
 * Keys and policies, as Tyk stores them: the {@link io.polygate.session.Session} (Tyk's session
 * JSON), {@link io.polygate.session.Policy}, their stores over the shared store
 * ({@link io.polygate.session.SessionStore}, {@link io.polygate.session.PolicyStore}), a key's
 * stored id (its SHA-256, {@link io.polygate.session.KeyHash}, with {@code hash_keys}) and how keys
 * are masked in logs ({@code SessionStore.redact}), how long
 * the store keeps a key ({@link io.polygate.session.SessionLifetime}: {@code session_lifetime}), the
 * node-local {@link io.polygate.session.SessionCache} and the sessions plugins create
 * ({@link io.polygate.session.PluginSessions}).
 *
 * <p>Owns: the key and policy data model. May use: {@code config} and {@code storage} (and the
 * SDK's {@code Json} mappers, as every package may); used by {@code chain} and everything above it.
 */
package io.polygate.session;
