package io.polygate.limit.redis;

/**
 * Redis key names for limiter state: {@code polygate:rl:{<counter>}:<suffix>}. The counter id is
 * the hash tag, so every key of one counter lands in one Cluster slot and a multi-key script is
 * legal there. Braces and '%' in the id are percent-encoded so a credential cannot break the tag.
 */
public final class RedisKeys {
    public static final String PREFIX = "polygate:rl:";

    private RedisKeys() {}

    public static String key(String counterId, String suffix) {
        StringBuilder b = new StringBuilder(PREFIX.length() + counterId.length() + suffix.length() + 8);
        b.append(PREFIX).append('{');
        for (int i = 0; i < counterId.length(); i++) {
            char c = counterId.charAt(i);
            switch (c) {
                case '{' -> b.append("%7B");
                case '}' -> b.append("%7D");
                case '%' -> b.append("%25");
                default -> b.append(c);
            }
        }
        return b.append("}:").append(suffix).toString();
    }
}
