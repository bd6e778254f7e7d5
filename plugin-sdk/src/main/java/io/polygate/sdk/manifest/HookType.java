package io.polygate.sdk.manifest;

/** The kinds of hooks a manifest names; the manifest, not a decorator, decides a hook's kind. */
public enum HookType {
    PRE("pre"), AUTH_CHECK("auth_check"), POST_KEY_AUTH("post_key_auth"), POST("post"), RESPONSE("response");

    private final String field;

    HookType(String field) { this.field = field; }

    /** The manifest field name, also the kind passed to the guest dispatcher. */
    public String field() { return field; }
}
