package io.polygate.plugin.polyglot;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.polygate.plugin.BundleLoader.BundleLoadException;
import io.polygate.plugin.HookCall;
import io.polygate.plugin.HookException;
import io.polygate.plugin.LoadedBundle;
import io.polygate.sdk.GuestSources;
import io.polygate.sdk.manifest.BundleManifest;
import io.polygate.sdk.manifest.Driver;
import io.polygate.sdk.manifest.HookRef;
import io.polygate.storage.StoreException;
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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.FileSystem;
import org.graalvm.polyglot.io.IOAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bundle version in GraalVM: a pool of contexts on the language's shared engine, each used by one
 * request at a time. The SDK runtime and the bundle's files are evaluated in every context from
 * cached {@link Source}s, so all contexts (and all versions, for the SDK) share their compiled
 * code. The version is usable as soon as its first context is ready; the rest of the pool is built
 * in the background. A watchdog cancels a call that runs past the time limit
 * ({@code Context.close(true)}: the guest cannot catch it); the broken context is replaced in the
 * background and the pool keeps serving.
 */
final class PolyglotBundle implements LoadedBundle {
    private static final Logger LOG = LoggerFactory.getLogger(PolyglotBundle.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A Python bundle's folder of vendored packages, put on {@code sys.path} after the bundle's own folder. */
    static final String VENDOR_DIR = "vendor";
    private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(10);
    /** Defines {@code __polygate_runtime(host, bundle_dir)}; see plugin-sdk's polygate_runtime.py. */
    private static final Source PY_RUNTIME =
            Source.newBuilder("python", GuestSources.pythonRuntime(), "polygate_runtime.py").cached(true).buildLiteral();
    private static final Source JS_PRELUDE =
            Source.newBuilder("js", GuestSources.jsPrelude(), "polygate-prelude.js").cached(true).buildLiteral();

    private final String name;
    private final String version;
    private final Path dir;
    private final BundleManifest manifest;
    private final Driver driver;
    private final Engine engine;
    private final GuestApi api;
    private final List<Source> sources;
    private final List<String> hookNames;
    private final int poolSize;
    private final Duration timeout;
    private final HookWatchdog watchdog;
    private final BlockingQueue<Guest> idle;
    private final ExecutorService refill;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Contexts in the pool, idle or busy. */
    private final AtomicInteger contexts = new AtomicInteger();
    private volatile boolean closed;

    /** One context, its watchdog slot, and the guest function of each hook of the manifest (it takes a {@link HookCall}). */
    private record Guest(Context context, HookWatchdog.Slot slot, Map<HookRef, Value> hooks) {}

    private PolyglotBundle(String name, String version, Path dir, BundleManifest manifest, Engine engine, GuestApi api,
                           List<Source> sources, int poolSize, Duration timeout, HookWatchdog watchdog) {
        this.name = name;
        this.version = version;
        this.dir = dir;
        this.manifest = manifest;
        this.driver = manifest.customMiddleware().driver();
        this.engine = engine;
        this.api = api;
        this.sources = sources;
        Set<String> names = new LinkedHashSet<>();
        for (HookRef h : manifest.customMiddleware().all()) names.add(h.name());
        this.hookNames = List.copyOf(names);
        this.poolSize = poolSize;
        this.timeout = timeout;
        this.watchdog = watchdog;
        this.idle = new ArrayBlockingQueue<>(poolSize);
        this.refill = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "plugin-refill-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    static PolyglotBundle load(String name, String version, Path dir, BundleManifest manifest, Engines engines, GuestApi api,
                               int poolSize, Duration timeout, HookWatchdog watchdog) throws BundleLoadException {
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
        PolyglotBundle b = new PolyglotBundle(name, version, dir, manifest, engine, api, sources, poolSize, timeout, watchdog);
        long t0 = System.nanoTime();
        try {
            b.offer(b.newGuest());
        } catch (BundleLoadException | RuntimeException e) {
            b.close();
            throw e;
        }
        LOG.info("bundle {} version {} ({}) ready: first context in {} ms ({} more in the background), hooks {}", name, version,
                Engines.language(driver), (System.nanoTime() - t0) / 1_000_000, poolSize - 1, b.hookNames);
        for (int i = 1; i < poolSize; i++) b.refill.execute(b::addGuest);
        return b;
    }

    private Guest newGuest() throws BundleLoadException {
        Context.Builder builder = Context.newBuilder(Engines.language(driver))
                .engine(engine)
                .sandbox(SandboxPolicy.CONSTRAINED)
                .allowHostAccess(Engines.HOST_ACCESS)
                .out(new LogOutputStream(LoggerFactory.getLogger("plugin." + name)))
                .err(new LogOutputStream(LoggerFactory.getLogger("plugin." + name)));
        if (driver == Driver.PYTHON) {
            try {
                builder.allowIO(IOAccess.newBuilder()
                        .fileSystem(FileSystem.allowInternalResourceAccess(new RootedReadOnlyFileSystem(dir))).build());
            } catch (IOException e) {
                throw new BundleLoadException("bundle \"" + name + "\": cannot open " + dir + ": " + e.getMessage(), e);
            }
        }
        Context ctx = builder.build();
        try {
            Map<HookRef, Value> hooks = driver == Driver.PYTHON ? initPython(ctx) : initJs(ctx);
            return new Guest(ctx, watchdog.watch(ctx), hooks);
        } catch (PolyglotException e) {
            closeQuietly(ctx);
            throw new BundleLoadException("bundle \"" + name + "\": " + describe(e), e);
        } catch (BundleLoadException | RuntimeException e) {
            closeQuietly(ctx);
            throw e;
        }
    }

    private Map<HookRef, Value> initPython(Context ctx) throws BundleLoadException {
        Value runtime = ctx.eval(PY_RUNTIME).execute(api, pythonImportPath());
        Value main = ctx.getBindings("python");
        main.removeMember("__polygate_runtime");
        for (Source s : sources) {
            // as when Tyk imports the file: plugins find their bundle's files through __file__
            main.putMember("__file__", dir.resolve(s.getName()).toString());
            ctx.eval(s);
        }
        checkMissing(runtime.getArrayElement(0).execute(json(hookNames)).asString());
        runtime.getArrayElement(2).executeVoid(HookCall.sample());
        return hooks(runtime.getArrayElement(1));
    }

    /**
     * Where the plugin's imports look first, one folder a line: the bundle's folder, then its
     * {@code vendor/} folder (pure-Python packages) when it has one.
     */
    private String pythonImportPath() {
        Path vendor = dir.resolve(VENDOR_DIR);
        return Files.isDirectory(vendor) ? dir + "\n" + vendor : dir.toString();
    }

    private Map<HookRef, Value> initJs(Context ctx) throws BundleLoadException {
        ctx.eval(JS_PRELUDE);
        Value bindings = ctx.getBindings("js");
        bindings.getMember("__polygate_install").execute(api);
        for (Source s : sources) ctx.eval(s);
        checkMissing(bindings.getMember("__polygate_resolve").execute(json(hookNames)).asString());
        bindings.getMember("__polygate_warm").executeVoid(HookCall.sample());
        return hooks(bindings.getMember("__polygate_caller"));
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
                        + (h.path() != null ? h.path() : String.join(", ", sourceNames())));
        }
        throw new BundleLoadException("bundle \"" + name + "\": " + String.join("; ", new LinkedHashSet<>(problems)));
    }

    private List<String> sourceNames() {
        return sources.stream().map(Source::getName).toList();
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

    @Override public String name() { return name; }

    @Override public String version() { return version; }

    @Override public BundleManifest manifest() { return manifest; }

    @Override public int contexts() { return contexts.get(); }

    /** Adds a newly built context to the pool. */
    private void offer(Guest g) {
        contexts.incrementAndGet();
        idle.add(g);
    }

    @Override
    public void invoke(HookRef hook, HookCall call) throws HookException {
        if (closed) throw new HookException(HookException.Kind.CLOSED, "bundle \"" + name + "\" version " + version + " is closed", null);
        Guest guest;
        inFlight.incrementAndGet();
        try {
            guest = idle.poll(ACQUIRE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            inFlight.decrementAndGet();
            Thread.currentThread().interrupt();
            throw new HookException(HookException.Kind.BUSY, "interrupted while waiting for a context of bundle \"" + name + "\"", e);
        }
        if (guest == null) {
            inFlight.decrementAndGet();
            throw new HookException(HookException.Kind.BUSY, "no context of bundle \"" + name + "\" became free within "
                    + ACQUIRE_TIMEOUT.toSeconds() + " s (" + poolSize + " contexts)", null);
        }
        guest.slot().start(timeout.toNanos());
        boolean healthy = false;
        try {
            Value fn = guest.hooks().get(hook);
            if (fn == null) {
                healthy = guest.slot().finish();
                throw new HookException(HookException.Kind.GUEST_ERROR, "bundle \"" + name + "\" has no hook " + hook, null);
            }
            fn.executeVoid(call);
            healthy = guest.slot().finish();
            if (!healthy) throw timedOut(hook, null);
        } catch (PolyglotException e) {
            boolean inTime = guest.slot().finish();
            if (!inTime || e.isCancelled()) throw timedOut(hook, e);
            if (e.isHostException() && e.asHostException() instanceof StoreException se) {
                healthy = true;
                throw se;
            }
            healthy = !e.isInternalError() && !e.isResourceExhausted();
            throw new HookException(HookException.Kind.GUEST_ERROR, "bundle \"" + name + "\" hook " + hook.name() + " (" + hook.type().field() + "): " + describe(e), e);
        } catch (RuntimeException e) {
            guest.slot().finish();
            throw new HookException(HookException.Kind.GUEST_ERROR, "bundle \"" + name + "\" hook " + hook.name() + " (" + hook.type().field() + "): " + e, e);
        } finally {
            if (healthy && !closed) {
                idle.add(guest);
            } else {
                replace(guest);
            }
            inFlight.decrementAndGet();
        }
    }

    private HookException timedOut(HookRef hook, Throwable cause) {
        return new HookException(HookException.Kind.TIMEOUT, "bundle \"" + name + "\" hook " + hook.name() + " (" + hook.type().field()
                + ") ran past its time limit of " + timeout.toMillis() + " ms and was stopped", cause);
    }

    /** Closes a context that can no longer be trusted and builds its successor in the background. */
    private void replace(Guest broken) {
        dispose(broken);
        if (!closed) refill.execute(this::addGuest);
    }

    /** Builds one more context for the pool (on the refill thread), retrying with a back-off. */
    private void addGuest() {
        for (int attempt = 1; !closed; attempt++) {
            try {
                long t0 = System.nanoTime();
                Guest g = newGuest();
                if (closed) {
                    dispose(g);
                    return;
                }
                offer(g);
                LOG.debug("bundle {} version {}: added a context in {} ms", name, version, (System.nanoTime() - t0) / 1_000_000);
                return;
            } catch (BundleLoadException | RuntimeException e) {
                LOG.error("bundle {} version {}: cannot build a context (attempt {}): {}", name, version, attempt, e.getMessage());
                try {
                    Thread.sleep(Math.min(30_000, 500L * attempt));
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void dispose(Guest g) {
        contexts.decrementAndGet();
        watchdog.forget(g.slot());
        closeQuietly(g.context());
    }

    private static void closeQuietly(Context ctx) {
        try {
            ctx.close(true);
        } catch (RuntimeException e) {
            // close() rethrows the cancel of a context stopped by the watchdog (shared/GRAAL.md §8.14)
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        refill.shutdownNow();
        Thread closer = new Thread(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    break;
                }
            }
            Guest g;
            while ((g = idle.poll()) != null) dispose(g);
            LOG.info("bundle {} version {} closed", name, version);
        }, "plugin-close-" + name);
        closer.setDaemon(true);
        closer.start();
    }
}
