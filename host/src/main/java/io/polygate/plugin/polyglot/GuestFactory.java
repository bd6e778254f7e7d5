package io.polygate.plugin.polyglot;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.polygate.plugin.BundleLoader.BundleLoadException;
import io.polygate.plugin.HookCall;
import io.polygate.sdk.json.Json;
import io.polygate.sdk.manifest.BundleManifest;
import io.polygate.sdk.manifest.Driver;
import io.polygate.sdk.manifest.HookRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.Value;
import org.slf4j.LoggerFactory;

/**
 * Builds the contexts of one bundle version: a CONSTRAINED sandbox on the language's shared engine,
 * the SDK runtime and the bundle's files evaluated from cached {@link Source}s (so every context
 * shares their compiled code), each hook of the manifest resolved, the call path warmed once.
 * Thread-safe: the pool builds contexts on its refill thread while requests run.
 */
final class GuestFactory {
    private static final ObjectMapper JSON = Json.MAPPER;

    private final String name;
    private final Path dir;
    private final BundleManifest manifest;
    private final Driver driver;
    private final Engine engine;
    private final GuestSetup setup;
    private final GuestApi api;
    private final List<Source> sources;
    private final List<String> hookNames;
    private final HookWatchdog watchdog;
    private final MemoryStrikes strikes;
    private final Duration loadTimeout;

    private GuestFactory(String name, Path dir, BundleManifest manifest, Engine engine, GuestApi api, List<Source> sources,
                         HookWatchdog watchdog, MemoryStrikes strikes, Duration loadTimeout) {
        this.name = name;
        this.dir = dir;
        this.manifest = manifest;
        this.driver = manifest.customMiddleware().driver();
        this.engine = engine;
        this.setup = GuestSetup.of(driver);
        this.api = api;
        this.sources = sources;
        Set<String> names = new LinkedHashSet<>();
        for (HookRef h : manifest.customMiddleware().all()) names.add(h.name());
        this.hookNames = List.copyOf(names);
        this.watchdog = watchdog;
        this.strikes = strikes;
        this.loadTimeout = loadTimeout;
    }

    /**
     * Reads the bundle's source files and starts (or joins) the language's engine.
     *
     * @param strikes the version's memory strikes, which its contexts' watchdog slots carry
     */
    static GuestFactory create(String name, Path dir, BundleManifest manifest, Engines engines, GuestApi api, HookWatchdog watchdog,
                               MemoryStrikes strikes, Duration loadTimeout)
            throws BundleLoadException {
        Driver driver = manifest.customMiddleware().driver();
        List<Source> sources = new ArrayList<>();
        for (String file : manifest.sourceFiles()) {
            if (!Files.isRegularFile(dir.resolve(file)))
                throw new BundleLoadException("bundle \"" + name + "\": a hook's path names a file that is not in the bundle: " + file);
            try {
                String code = Files.readString(dir.resolve(file), StandardCharsets.UTF_8);
                sources.add(Source.newBuilder(Engines.language(driver), code, file).cached(true).build());
            } catch (IOException e) {
                throw new BundleLoadException("bundle \"" + name + "\": " + file + ": cannot be read: " + e.getMessage(), e);
            }
        }
        if (sources.isEmpty())
            throw new BundleLoadException("bundle \"" + name + "\": neither file_list nor a hook's path names a ." + driver.extension()
                    + " file for driver " + driver.name().toLowerCase());
        Engine engine;
        try {
            engine = engines.get(driver);
        } catch (RuntimeException e) {
            throw new BundleLoadException("bundle \"" + name + "\": the " + Engines.language(driver) + " engine cannot start: " + e.getMessage(), e);
        }
        return new GuestFactory(name, dir, manifest, engine, api, sources, watchdog, strikes, loadTimeout);
    }

    /** The names of the manifest's hooks, each once, in manifest order. */
    List<String> hookNames() { return hookNames; }

    /**
     * A new context with the bundle loaded and its hooks resolved, watched by the watchdog. The
     * SDK runtime (the gateway's code, and the language's start-up in an engine's first context)
     * has no time limit; the bundle's own top-level code, its hooks' resolution and the warm-up
     * call run under {@code plugins.load_timeout}, past which the context is cancelled and the
     * version refused.
     */
    Guest newGuest() throws BundleLoadException {
        Context.Builder builder = Context.newBuilder(Engines.language(driver))
                .engine(engine)
                .sandbox(SandboxPolicy.CONSTRAINED)
                .allowHostAccess(Engines.HOST_ACCESS)
                .out(new LogOutputStream(LoggerFactory.getLogger("plugin." + name)))
                .err(new LogOutputStream(LoggerFactory.getLogger("plugin." + name)));
        try {
            setup.configure(builder, dir);
        } catch (IOException e) {
            throw new BundleLoadException("bundle \"" + name + "\": cannot open " + dir + ": " + e.getMessage(), e);
        }
        Context ctx = builder.build();
        HookWatchdog.Slot slot = watchdog.watch(ctx, strikes);
        try {
            Value sdk = setup.installRuntime(ctx, api, dir);
            slot.startLoad(loadTimeout.toNanos());
            GuestSetup.Runtime runtime = setup.loadBundle(ctx, sdk, dir, sources);
            checkMissing(runtime.resolve().execute(json(hookNames)).asString());
            runtime.warm().executeVoid(HookCall.sample());
            Map<HookRef, Value> hooks = hooks(runtime.caller());
            if (!slot.finish()) throw loadTimedOut(null);
            return new Guest(ctx, slot, hooks);
        } catch (PolyglotException e) {
            dispose(slot, ctx);
            if (!slot.finish() && slot.stoppedForMemory())
                throw new BundleLoadException("bundle \"" + name + "\": its top-level code was stopped: the heap ran short while it ran", e);
            if (!slot.finish() || e.isCancelled()) throw loadTimedOut(e);
            throw new BundleLoadException("bundle \"" + name + "\": " + describe(e), e);
        } catch (BundleLoadException | RuntimeException e) {
            dispose(slot, ctx);
            throw e;
        }
    }

    /** Stops watching a guest and closes its context. */
    void dispose(Guest g) {
        dispose(g.slot(), g.context());
    }

    private void dispose(HookWatchdog.Slot slot, Context ctx) {
        watchdog.forget(slot);
        closeQuietly(ctx);
    }

    private BundleLoadException loadTimedOut(Throwable cause) {
        return new BundleLoadException("bundle \"" + name + "\": its top-level code ran past plugins.load_timeout ("
                + loadTimeout.toMillis() + " ms) and was stopped", cause);
    }

    /** The guest function of each hook of the manifest, from the runtime's {@code caller(kind, name)}. */
    private Map<HookRef, Value> hooks(Value caller) {
        Map<HookRef, Value> out = new HashMap<>();
        for (HookRef h : manifest.customMiddleware().all()) out.put(h, caller.execute(h.type().field(), h.name()));
        return out;
    }

    private void checkMissing(String missingJson) throws BundleLoadException {
        List<String> missing;
        try {
            missing = List.of(JSON.readValue(missingJson, String[].class));
        } catch (IOException e) {
            throw new BundleLoadException("bundle \"" + name + "\": cannot resolve hooks: " + missingJson);
        }
        if (missing.isEmpty()) return;
        List<String> problems = new ArrayList<>();
        for (HookRef h : manifest.customMiddleware().all()) {
            if (missing.contains(h.name()))
                problems.add("hook \"" + h.name() + "\" (" + h.type().field() + ") is not defined in "
                        + (h.path() != null ? h.path() : String.join(", ", sources.stream().map(Source::getName).toList())));
        }
        throw new BundleLoadException("bundle \"" + name + "\": " + String.join("; ", new LinkedHashSet<>(problems)));
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** "middleware.py line 3: SyntaxError: invalid syntax" and the like. */
    static String describe(PolyglotException e) {
        StringBuilder sb = new StringBuilder();
        SourceSection at = e.getSourceLocation();
        if (at != null && at.getSource() != null && at.getSource().getName().startsWith("polygate")) at = null; // raised by the SDK: point at the plugin, if anywhere
        if (at == null) {
            for (PolyglotException.StackFrame f : e.getPolyglotStackTrace()) {
                if (f.isGuestFrame() && f.getSourceLocation() != null && f.getSourceLocation().getSource() != null
                        && !f.getSourceLocation().getSource().getName().startsWith("polygate")
                        && !f.getSourceLocation().getSource().getName().startsWith("<polygate")) {
                    at = f.getSourceLocation();
                    break;
                }
            }
        }
        if (at != null && at.getSource() != null) sb.append(at.getSource().getName()).append(" line ").append(at.getStartLine()).append(": ");
        if (e.isSyntaxError() && (e.getMessage() == null || !e.getMessage().contains("SyntaxError"))) sb.append("SyntaxError: ");
        sb.append(e.getMessage());
        return sb.toString();
    }

    private static void closeQuietly(Context ctx) {
        try {
            ctx.close(true);
        } catch (RuntimeException e) {
            // close() rethrows the cancel of a context stopped by the watchdog (shared/GRAAL.md §8.14)
        }
    }
}
