package io.polygate.sdk.manifest;

/**
 * One hook named in the manifest.
 *
 * @param name           the function (Python) or global (JS) that implements it
 * @param path           the file it lives in, or null (any file of the bundle)
 * @param requireSession Tyk's {@code require_session}; kept for compatibility, a session is
 *                       always passed
 */
public record HookRef(HookType type, String name, String path, boolean requireSession) {}
