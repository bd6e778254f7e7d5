package io.polygate.plugin.polyglot;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;

/** Guest stdout/stderr (print, console.log) into the gateway log, one line per log entry, each line and the lines a second ({@link GuestLogBudget}) capped. */
final class LogOutputStream extends OutputStream {
    private static final int MAX_LINE = 8192;
    private final Logger log;
    private final GuestLogBudget budget;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    LogOutputStream(Logger log) {
        this.log = log;
        this.budget = GuestLogBudget.of(log);
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            flushLine();
        } else if (line.size() < MAX_LINE) {
            line.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) write(b[i]);
    }

    @Override
    public synchronized void flush() {
        if (line.size() > 0) flushLine();
    }

    private void flushLine() {
        if (budget.admit()) log.info("{}", line.toString(StandardCharsets.UTF_8));
        line.reset();
    }
}
