package io.polygate.plugin.polyglot;

import io.polygate.sdk.manifest.Driver;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/** How one language's SDK runtime and a bundle's files are set up in a new context. */
sealed interface GuestSetup permits PythonGuestSetup, JsGuestSetup {
    static GuestSetup of(Driver driver) {
        return driver == Driver.PYTHON ? new PythonGuestSetup() : new JsGuestSetup();
    }

    /** Gives the context what the language needs before it is built (Python: read access to the bundle's folder). */
    void configure(Context.Builder builder, Path dir) throws IOException;

    /** Evaluates the SDK runtime with the host {@code api} (the gateway's code); answers what {@link #loadBundle} needs of it. */
    Value installRuntime(Context ctx, GuestApi api, Path dir);

    /** Evaluates the bundle's sources, in order (the plugin's top-level code), and answers the runtime's entry points. */
    Runtime loadBundle(Context ctx, Value sdk, Path dir, List<Source> sources);

    /**
     * The SDK runtime's entry points: {@code resolve(hook names as JSON)} answers the names the
     * bundle does not define (JSON), {@code warm(call)} runs the call path once on a sample,
     * {@code caller(kind, name)} gives the function the gateway calls for a hook.
     */
    record Runtime(Value resolve, Value warm, Value caller) {}
}
