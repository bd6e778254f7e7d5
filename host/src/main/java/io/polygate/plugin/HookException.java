package io.polygate.plugin;

/**
 * A hook call did not produce a result. {@link #kind()} says why; the message names the bundle,
 * the hook and the problem (it goes to the log; clients get a generic message and an error id).
 */
public final class HookException extends Exception {
    public enum Kind {
        /** The plugin code raised an error (an exception in Python or JS). */
        GUEST_ERROR,
        /** The hook ran past its time limit and was stopped. */
        TIMEOUT,
        /** No context of the bundle became free in time. */
        BUSY,
        /** The bundle version was closed (replaced or shut down) before the call. */
        CLOSED,
        /** The call was stopped because the gateway's heap ran short while it ran (the memory guard). */
        OUT_OF_MEMORY
    }

    private final Kind kind;

    public HookException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() { return kind; }
}
