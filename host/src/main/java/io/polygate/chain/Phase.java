package io.polygate.chain;

/**
 * Where a {@link Step} runs on the request path. Steps run in this order, then in config order
 * within a phase ({@code ../shared/DESIGN.md} §3).
 */
public enum Phase {
    /** who may call at all: IP lists, then CORS (a preflight is answered here, before any credential is asked for). */
    ACCESS,
    /** {@code pre} hooks: before authentication. */
    PRE,
    /** the {@code id_extractor} and the session cache. */
    IDENTIFY,
    /** built-in key auth or the bundle's {@code auth_check}. */
    AUTH,
    /** {@code post_key_auth} hooks. */
    POST_AUTH,
    /** native rate limits and quotas. */
    LIMIT,
    /** {@code post} hooks, last before the upstream. */
    POST
}
