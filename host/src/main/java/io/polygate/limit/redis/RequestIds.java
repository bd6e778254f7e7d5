package io.polygate.limit.redis;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Unique sliding-log members: a random prefix per process and a counter ({@code 3f2a9c1d07b4e6a8-42}),
 * so two requests in the same millisecond, on one node or many, are two entries (Tyk's script used
 * the bare timestamp and counted them once).
 */
public final class RequestIds {
    private final String prefix;
    private final AtomicLong seq = new AtomicLong();

    public RequestIds() {
        byte[] b = new byte[8];
        new SecureRandom().nextBytes(b);
        this.prefix = HexFormat.of().formatHex(b);
    }

    public String next() { return prefix + "-" + seq.incrementAndGet(); }
}
