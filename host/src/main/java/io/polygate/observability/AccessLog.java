package io.polygate.observability;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: one line per request, to standard output or a file rotated daily and at
 * {@value #MAX_FILE_SIZE} (gzipped, {@value #MAX_HISTORY_DAYS} days kept).
 *
 * <p>Threading: {@link #write} may be called from any thread and never blocks it. The line is
 * formatted on the caller's thread, then queued ({@value #QUEUE_SIZE} lines) for one writer thread
 * (logback's {@link AsyncAppender}); when the queue is full the line is dropped, never waited for.
 * The log has a logback context of its own, so the application's {@code logback.xml} does not
 * route, filter or reformat it, and two gateways in one JVM keep separate logs.
 */
public final class AccessLog implements AutoCloseable {
    static final int QUEUE_SIZE = 8192;
    static final String MAX_FILE_SIZE = "100MB";
    static final int MAX_HISTORY_DAYS = 14;
    private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);
    private static final JsonFactory JSON = new JsonFactory();
    /** The access log of {@code access_log.enabled: false}: writes nothing. */
    public static final AccessLog OFF = new AccessLog(null, false, false);

    private final LoggerContext context;
    private final ch.qos.logback.classic.Logger logger;
    private final boolean text;
    private final boolean queryValues;

    private AccessLog(LoggerContext context, boolean text, boolean queryValues) {
        this.context = context;
        this.logger = context == null ? null : context.getLogger("access");
        this.text = text;
        this.queryValues = queryValues;
    }

    /**
     * Starts the writer of an access log.
     *
     * @param file        the file to write, or null for standard output
     * @param text        logfmt lines instead of JSON
     * @param queryValues keep the query's values in the logged path
     * @throws IllegalArgumentException when the file cannot be opened for writing
     */
    public static AccessLog open(Path file, boolean text, boolean queryValues) {
        LoggerContext context = new LoggerContext();
        context.setName("polygate-access");
        context.setMDCAdapter(new LogbackMDCAdapter()); // a context of our own has none; the async appender copies the MDC
        // logback reports a failing write (a full disk) to its status manager: pass it on to the application log
        context.getStatusManager().add((StatusListener) status -> {
            if (status.getLevel() == Status.ERROR) LOG.error("access log: {}", status.getMessage(), status.getThrowable());
        });
        context.start();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        OutputStreamAppender<ILoggingEvent> out = file == null ? stdout(context) : rollingFile(context, file);
        out.setEncoder(encoder);
        out.start();
        if (!out.isStarted()) {
            context.stop();
            throw new IllegalArgumentException("access_log.path: cannot write " + file);
        }
        AsyncAppender async = new AsyncAppender();
        async.setContext(context);
        async.setName("access-async");
        async.setQueueSize(QUEUE_SIZE);
        async.setDiscardingThreshold(0); // every line is INFO: drop only when the queue is full
        async.setNeverBlock(true);
        async.addAppender(out);
        async.start();
        ch.qos.logback.classic.Logger logger = context.getLogger("access");
        logger.setLevel(Level.INFO);
        logger.setAdditive(false);
        logger.addAppender(async);
        return new AccessLog(context, text, queryValues);
    }

    private static OutputStreamAppender<ILoggingEvent> stdout(LoggerContext context) {
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("access-stdout");
        return console;
    }

    private static OutputStreamAppender<ILoggingEvent> rollingFile(LoggerContext context, Path path) {
        RollingFileAppender<ILoggingEvent> file = new RollingFileAppender<>();
        file.setContext(context);
        file.setName("access-file");
        file.setFile(path.toString());
        SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
        policy.setContext(context);
        policy.setParent(file);
        policy.setFileNamePattern(path + ".%d{yyyy-MM-dd}.%i.gz");
        policy.setMaxFileSize(FileSize.valueOf(MAX_FILE_SIZE));
        policy.setMaxHistory(MAX_HISTORY_DAYS);
        policy.start();
        file.setRollingPolicy(policy);
        return file;
    }

    public boolean enabled() { return logger != null; }

    /** Queues the entry's line; does nothing when the log is off. */
    public void write(AccessEntry e) {
        if (logger == null) return;
        logger.info(text ? text(e) : json(e));
    }

    String json(AccessEntry e) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("time", e.time().toString());
            g.writeStringField("request_id", e.requestId());
            g.writeStringField("api", e.api());
            g.writeStringField("method", e.method());
            g.writeStringField("path", path(e));
            g.writeNumberField("status", e.status());
            g.writeNumberField("bytes_in", e.bytesIn());
            g.writeNumberField("bytes_out", e.bytesOut());
            g.writeNumberField("duration_ms", millis(e.durationNanos()));
            if (e.upstreamNanos() >= 0) g.writeNumberField("upstream_ms", millis(e.upstreamNanos()));
            else g.writeNullField("upstream_ms");
            g.writeStringField("client_ip", e.clientIp());
            g.writeStringField("key_hash", e.keyHash());
            g.writeEndObject();
        } catch (IOException x) {
            throw new UncheckedIOException(x); // a StringWriter does not fail
        }
        return w.toString();
    }

    /** logfmt: {@code key=value}, values with spaces, quotes or {@code =} quoted with JSON escapes. */
    String text(AccessEntry e) {
        StringBuilder b = new StringBuilder(200);
        pair(b, "time", e.time().toString());
        pair(b, "request_id", e.requestId());
        pair(b, "api", e.api());
        pair(b, "method", e.method());
        pair(b, "path", path(e));
        pair(b, "status", Integer.toString(e.status()));
        pair(b, "bytes_in", Long.toString(e.bytesIn()));
        pair(b, "bytes_out", Long.toString(e.bytesOut()));
        pair(b, "duration_ms", Double.toString(millis(e.durationNanos())));
        pair(b, "upstream_ms", e.upstreamNanos() >= 0 ? Double.toString(millis(e.upstreamNanos())) : null);
        pair(b, "client_ip", e.clientIp());
        pair(b, "key_hash", e.keyHash());
        return b.toString();
    }

    private static void pair(StringBuilder b, String key, String value) {
        if (!b.isEmpty()) b.append(' ');
        b.append(key).append('=');
        if (value == null) b.append('-');
        else if (value.isEmpty() || value.chars().anyMatch(c -> c <= ' ' || c == '"' || c == '=' || c == '\\' || c > '~'))
            b.append('"').append(JsonStringEncoder.getInstance().quoteAsString(value)).append('"');
        else b.append(value);
    }

    /** The path, with the query's values left out unless {@code access_log.query_values}. */
    private String path(AccessEntry e) {
        String q = e.query();
        if (q == null || q.isEmpty()) return e.path();
        if (queryValues) return e.path() + "?" + q;
        StringBuilder b = new StringBuilder(e.path().length() + q.length()).append(e.path()).append('?');
        int start = 0;
        while (start <= q.length()) {
            int amp = q.indexOf('&', start);
            int end = amp < 0 ? q.length() : amp;
            int eq = q.indexOf('=', start);
            b.append(q, start, eq >= 0 && eq < end ? eq + 1 : end);
            if (amp < 0) break;
            b.append('&');
            start = amp + 1;
        }
        return b.toString();
    }

    private static double millis(long nanos) { return Math.round(nanos / 1_000.0) / 1_000.0; }

    /** Writes what is queued (up to a second), then stops the writer thread. */
    @Override
    public void close() {
        if (context != null) context.stop();
    }
}
