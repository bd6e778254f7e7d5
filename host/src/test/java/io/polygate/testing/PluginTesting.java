package io.polygate.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.polygate.Gateway;
import io.polygate.bundle.BundleStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/** Helpers for plugin tests: a bundles directory built from samples and test fixtures, waiting for bundles, log capture. */
public final class PluginTesting {
    private PluginTesting() {}

    /** The repository root (tests run in host/). */
    public static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        return Files.isDirectory(p.resolve("samples")) ? p : p.getParent();
    }

    /**
     * Copies bundles into {@code dir}: key = bundle name there, value = source folder, either
     * {@code samples/...} (relative to the repo root) or a name under {@code src/test/resources/bundles/}.
     */
    public static Path bundlesDir(Path dir, Map<String, String> bundles) {
        try {
            Files.createDirectories(dir);
            for (Map.Entry<String, String> e : bundles.entrySet()) {
                Path src = e.getValue().startsWith("samples/") ? repoRoot().resolve(e.getValue())
                        : repoRoot().resolve("host/src/test/resources/bundles").resolve(e.getValue());
                copyTree(src, dir.resolve(e.getKey()));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void copyTree(Path src, Path dest) throws IOException {
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : s.toList()) {
                Path t = dest.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Waits until every named bundle is ready or failed; returns their statuses. */
    public static List<BundleStatus> awaitBundles(Gateway gateway, Duration max, String... names) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            List<BundleStatus> st = Stream.of(names).map(n -> gateway.bundles().status(n)).toList();
            if (st.stream().noneMatch(s -> s.state().equals("loading"))) return st;
            if (System.nanoTime() > deadline) throw new AssertionError("bundles still loading after " + max + ": " + st);
            Thread.sleep(100);
        }
    }

    /** Captures log events of a logger (and its children) from now on. */
    public static ListAppender<ILoggingEvent> captureLog(String loggerName) {
        Logger logger = (Logger) LoggerFactory.getLogger(loggerName);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        return appender;
    }

    public static boolean logged(ListAppender<ILoggingEvent> log, String text) {
        synchronized (log.list) {
            return log.list.stream().anyMatch(e -> e.getFormattedMessage().contains(text));
        }
    }
}
