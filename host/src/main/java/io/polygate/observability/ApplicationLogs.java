package io.polygate.observability;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Iterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shape of the application's own log lines ({@code logging.format}). Text is what
 * {@code logback.xml} sets up; {@link #useJson()} switches the root logger's appenders to
 * logback's {@link JsonEncoder}: one JSON object a line, with {@code timestamp} (epoch ms),
 * {@code level}, {@code threadName}, {@code loggerName}, {@code formattedMessage}, {@code mdc} and
 * {@code throwable}.
 *
 * <p>Process-wide: call once at start, before the gateway logs from other threads.
 */
public final class ApplicationLogs {
    private static final Logger LOG = LoggerFactory.getLogger(ApplicationLogs.class);

    private ApplicationLogs() {}

    /** Re-encodes every line of the root logger's appenders as JSON; a no-op when the logging backend is not logback. */
    public static void useJson() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            LOG.warn("logging.format json: the logging backend is not logback, lines stay as they are");
            return;
        }
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof OutputStreamAppender<ILoggingEvent> out) {
                out.stop();
                out.setEncoder(jsonEncoder(context));
                out.start();
            }
        }
    }

    static JsonEncoder jsonEncoder(LoggerContext context) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        // the message once, formatted; no logback bookkeeping (sequence number, nanoseconds, context)
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        return encoder;
    }
}
