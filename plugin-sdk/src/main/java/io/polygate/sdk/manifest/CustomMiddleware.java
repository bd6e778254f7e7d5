package io.polygate.sdk.manifest;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code custom_middleware} block of a manifest: the driver and the hooks by kind.
 *
 * @param authCheck   null when the bundle has no auth hook
 * @param idExtractor null when there is none
 */
public record CustomMiddleware(Driver driver, List<HookRef> pre, HookRef authCheck, List<HookRef> postKeyAuth,
                               List<HookRef> post, List<HookRef> response, IdExtractorSpec idExtractor) {
    public CustomMiddleware {
        pre = List.copyOf(pre);
        postKeyAuth = List.copyOf(postKeyAuth);
        post = List.copyOf(post);
        response = List.copyOf(response);
    }

    /** Every hook, in chain order. */
    public List<HookRef> all() {
        List<HookRef> all = new ArrayList<>(pre);
        if (authCheck != null) all.add(authCheck);
        all.addAll(postKeyAuth);
        all.addAll(post);
        all.addAll(response);
        return all;
    }
}
