package io.polygate.plugin.polyglot;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.polygate.plugin.BundleLoader.BundleLoadException;
import io.polygate.plugin.HookException;
import io.polygate.plugin.LoadedBundle;
import io.polygate.sdk.GuestSources;
import io.polygate.sdk.manifest.BundleManifest;
import io.polygate.sdk.manifest.Driver;
import io.polygate.sdk.manifest.HookRef;
import io.polygate.sdk.manifest.HookType;
import io.polygate.storage.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * A bundle version in GraalVM: a pool of pre-warmed contexts on the language's shared engine, each
 * used by one request at a time. The bundle's sources are parsed into {@link Source}s once and
 * evaluated in every context (the engine caches the parse). A watchdog cancels a call that runs
 * past the time limit ({@code Context.close(true)}: the guest cannot catch it); the broken context
 * is replaced in the background and the pool keeps serving.
 */
final class PolyglotBundle implements LoadedBundle {
    private static final Logger LOG = LoggerFactory.getLogger(PolyglotBundle.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(10);
    /** Python's bootstrap: creates the SDK modules from their sources (no files needed). */
    private static final String PY_BOOT = """
            def __polygate_mk(name, src):
                import sys, types
                m = types.ModuleType(name)
                m.__file__ = '<polygate-sdk>/' + name.replace('.', '/') + '.py'
                if name == 'tyk':
                    m.__path__ = []
                sys.modules[name] = m
                if '.' in name:
                    parent, child = name.rsplit('.', 1)
                    setattr(sys.modules[parent], child, m)
                exec(compile(src, m.__file__, 'exec'), m.__dict__)
                return m
            """;
    private static final Map<Engine, Source> JS_PRELUDES = new ConcurrentHashMap<>();
    private static final Map<Engine, Source> PY_BOOTS = new ConcurrentHashMap<>();

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
    private final ScheduledExecutorService watchdog;
    private final BlockingQueue<Guest> idle;
    private final ExecutorService refill;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closed;

    /** One context with its dispatcher. */
    private record Guest(Context context, Value dispatch) {}

    private PolyglotBundle(String name, String version, Path dir, BundleManifest manifest, Engine engine, GuestApi api,
                           List<Source> sources, int poolSize, Duration timeout, ScheduledExecutorService watchdog) {
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
                               int poolSize, Duration timeout, ScheduledExecutorService watchdog) throws BundleLoadException {
        Driver driver = manifest.customMiddleware().driver();
        List<Source> sources = new ArrayList<>();
        for (String file : manifest.fileList()) {
            // nested files are modules the top-level ones import; non-source files are data
            if (file.contains("/") || !file.endsWith("." + driver.extension())) continue;
            try {
                String code = Files.readString(dir.resolve(file), StandardCharsets.UTF_8);
                sources.add(Source.newBuilder(Engines.language(driver), code, file).cached(true).build());
            } catch (IOException e) {
                throw new BundleLoadException("bundle \"" + name + "\": " + file + ": cannot be read: " + e.getMessage(), e);
            }
        }
        if (sources.isEmpty())
            throw new BundleLoadException("bundle \"" + name + "\": file_list has no ." + driver.extension() + " file for driver " + driver.name().toLowerCase());
        Engine engine;
        try {
            engine = engines.get(driver);
        } catch (RuntimeException e) {
            throw new BundleLoadException("bundle \"" + name + "\": the " + Engines.language(driver) + " engine cannot start: " + e.getMessage(), e);
        }
        PolyglotBundle b = new PolyglotBundle(name, version, dir, manifest, engine, api, sources, poolSize, timeout, watchdog);
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < poolSize; i++) b.idle.add(b.newGuest());
        } catch (BundleLoadException | RuntimeException e) {
            b.close();
            throw e;
        }
        LOG.info("bundle {} version {} ({}) loaded: {} contexts in {} ms, hooks {}", name, version, Engines.language(driver),
                poolSize, (System.nanoTime() - t0) / 1_000_000, b.hookNames);
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
            Value dispatch = driver == Driver.PYTHON ? initPython(ctx) : initJs(ctx);
            return new Guest(ctx, dispatch);
        } catch (PolyglotException e) {
            closeQuietly(ctx);
            throw new BundleLoadException("bundle \"" + name + "\": " + describe(e), e);
        } catch (BundleLoadException | RuntimeException e) {
            closeQuietly(ctx);
            throw e;
        }
    }

    private Value initPython(Context ctx) throws BundleLoadException {
        ctx.eval(PY_BOOTS.computeIfAbsent(engine,
                e -> Source.newBuilder("python", PY_BOOT, "polygate_boot.py").cached(true).buildLiteral()));
        Value mk = ctx.getBindings("python").getMember("__polygate_mk");
        Value runtime = null;
        for (Map.Entry<String, String> e : GuestSources.pythonModules().entrySet()) {
            Value module = mk.execute(e.getKey(), e.getValue());
            if (e.getKey().equals("gateway")) module.getMember("_install").execute(api);
            if (e.getKey().equals("polygate_runtime")) runtime = module;
        }
        ctx.getBindings("python").removeMember("__polygate_mk");
        runtime.getMember("_harden").execute();
        runtime.getMember("_syspath").execute(JSON.valueToTree(List.of(dir.toString())).toString());
        for (Source s : sources) ctx.eval(s);
        String missing = runtime.getMember("_resolve").execute(json(hookNames)).asString();
        checkMissing(missing);
        return runtime.getMember("_dispatch");
    }

    private Value initJs(Context ctx) throws BundleLoadException {
        Source prelude = JS_PRELUDES.computeIfAbsent(engine,
                e -> Source.newBuilder("js", GuestSources.jsPrelude(), "polygate-prelude.js").cached(true).buildLiteral());
        ctx.eval(prelude);
        Value bindings = ctx.getBindings("js");
        bindings.getMember("__polygate_install").execute(api);
        for (Source s : sources) ctx.eval(s);
        checkMissing(bindings.getMember("__polygate_resolve").execute(json(hookNames)).asString());
        return bindings.getMember("__polygate_dispatch");
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

    @Override
    public String invoke(HookType type, String hook, String stateJson) throws HookException {
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
        AtomicBoolean cancelled = new AtomicBoolean();
        ScheduledFuture<?> stop = watchdog.schedule(() -> {
            cancelled.set(true);
            try {
                guest.context().close(true);
            } catch (RuntimeException e) {
                LOG.debug("cancelling a context of bundle {}: {}", name, e.toString());
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        boolean healthy = false;
        try {
            String out = guest.dispatch().execute(type.field(), hook, stateJson).asString();
            healthy = stop.cancel(false) && !cancelled.get();
            return out;
        } catch (PolyglotException e) {
            stop.cancel(false);
            if (cancelled.get() || e.isCancelled())
                throw new HookException(HookException.Kind.TIMEOUT, "bundle \"" + name + "\" hook " + hook + " (" + type.field()
                        + ") ran past its time limit of " + timeout.toMillis() + " ms and was stopped", e);
            if (e.isHostException() && e.asHostException() instanceof StoreException se) {
                healthy = true;
                throw se;
            }
            healthy = !e.isInternalError() && !e.isResourceExhausted();
            throw new HookException(HookException.Kind.GUEST_ERROR, "bundle \"" + name + "\" hook " + hook + " (" + type.field() + "): " + describe(e), e);
        } catch (RuntimeException e) {
            stop.cancel(false);
            throw new HookException(HookException.Kind.GUEST_ERROR, "bundle \"" + name + "\" hook " + hook + " (" + type.field() + "): " + e, e);
        } finally {
            if (healthy && !closed) {
                idle.add(guest);
            } else {
                replace(guest);
            }
            inFlight.decrementAndGet();
        }
    }

    /** Closes a context that can no longer be trusted and builds its successor in the background. */
    private void replace(Guest broken) {
        closeQuietly(broken.context());
        if (closed) return;
        refill.execute(() -> {
            for (int attempt = 1; !closed; attempt++) {
                try {
                    long t0 = System.nanoTime();
                    idle.add(newGuest());
                    LOG.info("bundle {} version {}: replaced a context in {} ms", name, version, (System.nanoTime() - t0) / 1_000_000);
                    return;
                } catch (BundleLoadException | RuntimeException e) {
                    LOG.error("bundle {} version {}: cannot rebuild a context (attempt {}): {}", name, version, attempt, e.getMessage());
                    try {
                        Thread.sleep(Math.min(30_000, 500L * attempt));
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        });
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
            while ((g = idle.poll()) != null) closeQuietly(g.context());
            LOG.info("bundle {} version {} closed", name, version);
        }, "plugin-close-" + name);
        closer.setDaemon(true);
        closer.start();
    }
}
