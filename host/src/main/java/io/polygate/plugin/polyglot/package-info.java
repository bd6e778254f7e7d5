/**
 * The GraalVM side of plugins: one shared {@code Engine} per language
 * ({@link io.polygate.plugin.polyglot.Engines}), a pool of pre-warmed sandboxed contexts per
 * bundle version, each owned by a thread of its own that runs the calls queued for the version,
 * with a watchdog that stops hooks past their time limit
 * ({@code PolyglotBundle} over a {@code ContextPool} of contexts a {@code GuestFactory} builds with
 * the language's {@code GuestSetup}, {@code HookWatchdog}), the read-only bundle file system that
 * shows the guest only the files {@code file_list} names ({@code RootedReadOnlyFileSystem}), and {@link
 * io.polygate.plugin.polyglot.GuestApi}, the {@code tyk.*} API ({@code store_data} values capped,
 * guest log lines limited per bundle by {@code GuestLogBudget}); besides it a guest reaches only
 * the {@code HookCall} of the request it runs for. The guest-side code (the Python runtime, which
 * creates {@code tyk.decorators} and {@code gateway}; the JS prelude) lives in the plugin-sdk module.
 * {@code PluginRunner} is {@code polygate plugin run}: one hook of a bundle on a sample request.
 *
 * <p>May use: {@code plugin} (the call it serves), the plugin-sdk, GraalVM and the base
 * ({@code config}, {@code observability}, {@code storage}, {@code session}).
 */
package io.polygate.plugin.polyglot;
