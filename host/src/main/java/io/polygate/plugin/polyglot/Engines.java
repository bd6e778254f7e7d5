package io.polygate.plugin.polyglot;

import io.polygate.sdk.manifest.Driver;
import java.io.OutputStream;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.graalvm.home.Version;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.SandboxPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shared GraalVM {@link Engine} per language, created on first use (a Python engine costs
 * seconds, so a gateway without Python bundles never pays it). All contexts of an engine use the
 * same {@link #HOST_ACCESS} (a shared engine requires it). Thread-safe.
 */
public final class Engines implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engines.class);
    static final String EXPECTED_IMPLEMENTATION = "GraalVM CE";

    /** Only {@code @HostAccess.Export} members of {@link GuestApi}; CONSTRAINED-based for the sandbox policy. */
    static final HostAccess HOST_ACCESS = HostAccess.newBuilder(HostAccess.CONSTRAINED).build();

    /** Per language, so that creating the Python engine (seconds) does not hold a JS load back. */
    private final Map<Driver, Engine> engines = new ConcurrentHashMap<>();

    /**
     * The version of the GraalVM polyglot runtime on the class path (its jar's), creates no engine;
     * {@link Version#getCurrent()} answers only on a GraalVM JDK ("snapshot" elsewhere).
     */
    public static String graalVersion() {
        String jar = Engine.class.getPackage().getImplementationVersion();
        return jar != null ? jar : Version.getCurrent().toString();
    }

    public Engine get(Driver driver) {
        return engines.computeIfAbsent(driver, this::create);
    }

    private Engine create(Driver driver) {
        long t0 = System.nanoTime();
        String lang = language(driver);
        Engine engine = Engine.newBuilder(lang)
                .sandbox(SandboxPolicy.CONSTRAINED)
                .out(OutputStream.nullOutputStream())
                .err(new LogOutputStream(LoggerFactory.getLogger("plugin.engine." + lang)))
                // we check the implementation ourselves and warn once, loudly, in the gateway log
                .option("engine.WarnInterpreterOnly", "false")
                .build();
        String impl = engine.getImplementationName();
        if (!EXPECTED_IMPLEMENTATION.equals(impl)) {
            LOG.warn("""

                    ************************************************************************
                    * GraalVM {} engine runs as "{}", not "{}": NO JIT.
                    * Plugins run 6-135x slower. Start the JVM with
                    *   -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI
                    *   --upgrade-module-path=host/target/compiler  (./polygate does this)
                    ************************************************************************""",
                    lang, impl, EXPECTED_IMPLEMENTATION);
        } else {
            LOG.info("GraalVM {} engine ready ({}) in {} ms", lang, impl, (System.nanoTime() - t0) / 1_000_000);
        }
        return engine;
    }

    static String language(Driver driver) {
        return driver == Driver.PYTHON ? "python" : "js";
    }

    @Override
    public synchronized void close() {
        for (Engine e : engines.values()) {
            try {
                e.close(true);
            } catch (RuntimeException ex) {
                LOG.debug("closing engine: {}", ex.toString());
            }
        }
        engines.clear();
    }
}
