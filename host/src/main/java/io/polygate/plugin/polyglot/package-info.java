/**
 * The GraalVM side of plugins: one shared {@code Engine} per language
 * ({@link io.polygate.plugin.polyglot.Engines}), a pool of pre-warmed sandboxed contexts per
 * bundle version with a watchdog that stops hooks past their time limit
 * ({@code PolyglotBundle}), the read-only bundle file system, and {@link
 * io.polygate.plugin.polyglot.GuestApi}, the only host object a plugin reaches ({@code tyk.*}).
 * The guest-side code (Python {@code tyk}, {@code gateway}, {@code polygate_runtime}; the JS
 * prelude) lives in the plugin-sdk module.
 */
package io.polygate.plugin.polyglot;
