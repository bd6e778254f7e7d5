package io.polygate.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Basic auth passwords verified a moment ago, so a user's requests do not each pay a bcrypt check
 * (Tyk's bcrypt cache, {@code basic_auth.cache_ttl}). Keyed by the stored bcrypt hash, so a changed
 * password is checked afresh; holds the SHA-256 of the password, never the password. Bounded: when
 * {@value #MAX_ENTRIES} users are held, it starts over. Thread-safe.
 */
final class VerifiedPasswords {
    static final int MAX_ENTRIES = 10_000;

    private record Entry(byte[] digest, long expiresAtMillis) {}

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final long ttlMillis;
    private final InstantSource clock;

    /** @param ttl how long a verification holds; zero turns the cache off */
    VerifiedPasswords(Duration ttl, InstantSource clock) {
        this.ttlMillis = ttl.toMillis();
        this.clock = clock;
    }

    /** Whether {@code password} was verified against {@code storedHash} within the time to live. */
    boolean contains(String storedHash, String password) {
        if (ttlMillis <= 0) return false;
        Entry e = entries.get(storedHash);
        if (e == null) return false;
        if (e.expiresAtMillis <= clock.millis()) {
            entries.remove(storedHash, e);
            return false;
        }
        return MessageDigest.isEqual(e.digest, sha256(password));
    }

    /** Records that {@code password} matches {@code storedHash}. */
    void add(String storedHash, String password) {
        if (ttlMillis <= 0) return;
        if (entries.size() >= MAX_ENTRIES) entries.clear();
        entries.put(storedHash, new Entry(sha256(password), clock.millis() + ttlMillis));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
