package io.polygate.observability;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code X-Request-Id} of a request: the client's, when it sent a usable one, else a new one.
 * The id travels to the upstream, back to the client and into the access log, so one request can
 * be followed through all three.
 */
public final class RequestIds {
    public static final String HEADER = "X-Request-Id";
    /** Longer ids, and ids with characters outside visible ASCII, are replaced (they would only bloat or garble logs). */
    public static final int MAX_LENGTH = 128;

    private RequestIds() {}

    /** {@code sent} when it is 1 to {@value #MAX_LENGTH} visible ASCII characters, else a new id. */
    public static String of(String sent) {
        return usable(sent) ? sent : generate();
    }

    /** 32 random hex digits (128 bits): unique enough to never collide in a log, cheaper than a SecureRandom UUID. */
    public static String generate() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        HexFormat hex = HexFormat.of();
        return hex.toHexDigits(r.nextLong()) + hex.toHexDigits(r.nextLong());
    }

    static boolean usable(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) return false;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c <= ' ' || c > '~') return false;
        }
        return true;
    }
}
