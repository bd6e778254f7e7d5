package io.polygate.plugin.polyglot;

import io.polygate.sdk.GuestSources;
import java.nio.file.Path;
import java.util.List;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/** A JS bundle in a context: plugin-sdk's prelude.js (Tyk's JSVM globals), installed on the host API, then the bundle's files. */
final class JsGuestSetup implements GuestSetup {
    private static final Source PRELUDE =
            Source.newBuilder("js", GuestSources.jsPrelude(), "polygate-prelude.js").cached(true).buildLiteral();

    /** JS gets no file system. */
    @Override
    public void configure(Context.Builder builder, Path dir) {}

    @Override
    public Value installRuntime(Context ctx, GuestApi api, Path dir) {
        ctx.eval(PRELUDE);
        Value bindings = ctx.getBindings("js");
        bindings.getMember("__polygate_install").execute(api);
        return bindings;
    }

    @Override
    public Runtime loadBundle(Context ctx, Value bindings, Path dir, List<Source> sources) {
        for (Source s : sources) ctx.eval(s);
        return new Runtime(bindings.getMember("__polygate_resolve"), bindings.getMember("__polygate_warm"), bindings.getMember("__polygate_caller"));
    }
}
