package io.polygate.plugin;

import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.observability.JsonErrors;
import io.polygate.sdk.manifest.HookRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How a failed hook call is answered and logged, the same for every kind of hook. */
public final class PluginFailures {
    static final Logger LOG = LoggerFactory.getLogger(PluginFailures.class);

    private PluginFailures() {}

    /**
     * The answer for a failed hook: {@code status} (500; 403 for a failing auth_check) with an error
     * id, or 503 when the bundle is busy or being replaced. Logs bundle, version, hook, phase and id.
     */
    public static Outcome.Respond respond(LoadedBundle bundle, HookRef hook, Exchange exchange, HookException e, int status) {
        String id = JsonErrors.newErrorId();
        String api = exchange.apiId();
        switch (e.kind()) {
            case BUSY, CLOSED -> {
                LOG.warn("api={} bundle={} version={} hook={} phase={} error_id={}: {}", api, bundle.name(), bundle.version(),
                        hook.name(), hook.type().field(), id, e.getMessage());
                return new Outcome.Respond(503, null, JsonErrors.CONTENT_TYPE,
                        JsonErrors.body(503, "plugin bundle \"" + bundle.name() + "\" is busy, try again", id));
            }
            case OUT_OF_MEMORY -> {
                LOG.error("api={} bundle={} version={} hook={} phase={} error_id={}: {}", api, bundle.name(), bundle.version(),
                        hook.name(), hook.type().field(), id, e.getMessage());
                return new Outcome.Respond(503, null, JsonErrors.CONTENT_TYPE,
                        JsonErrors.body(503, "plugin hook stopped: the gateway is short of memory", id));
            }
            case TIMEOUT -> {
                LOG.error("api={} bundle={} version={} hook={} phase={} error_id={}: {}", api, bundle.name(), bundle.version(),
                        hook.name(), hook.type().field(), id, e.getMessage());
                return new Outcome.Respond(500, null, JsonErrors.CONTENT_TYPE,
                        JsonErrors.body(500, "plugin hook timed out", id));
            }
            default -> {
                LOG.error("api={} bundle={} version={} hook={} phase={} error_id={}: {}", api, bundle.name(), bundle.version(),
                        hook.name(), hook.type().field(), id, e.getMessage());
                return new Outcome.Respond(status, null, JsonErrors.CONTENT_TYPE,
                        JsonErrors.body(status, status == 403 ? "Key not authorised" : "plugin hook failed", id));
            }
        }
    }

}
