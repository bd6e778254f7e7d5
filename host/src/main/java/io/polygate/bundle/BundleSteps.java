package io.polygate.bundle;

import io.polygate.auth.IdExtractor;
import io.polygate.auth.PluginAuthStep;
import io.polygate.auth.SessionCacheStep;
import io.polygate.session.SessionStore;
import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.chain.Phase;
import io.polygate.chain.Pin;
import io.polygate.chain.Step;
import io.polygate.config.ApiDefinition;
import io.polygate.plugin.HookSpec;
import io.polygate.plugin.HookStep;
import io.polygate.plugin.ResponseHookUpstream;
import io.polygate.proxy.Upstream;
import io.polygate.sdk.manifest.CustomMiddleware;
import io.polygate.sdk.manifest.HookRef;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chain pieces an API gets from its {@code custom_middleware_bundle}: hook steps for
 * {@code pre}, {@code post_key_auth} and {@code post}, the id extractor and {@code auth_check}
 * when the API's auth is {@code plugin}, and an upstream that runs the {@code response} hooks.
 * A bundle that is not ready gives one step that answers 503 with the reason. Built when routes
 * are built (an API or a bundle changed), never per request.
 */
public final class BundleSteps {
    private static final Logger LOG = LoggerFactory.getLogger(BundleSteps.class);

    private final BundleStore bundles;
    private final PluginAuthStep.Shared auth;
    private final SessionStore keys;
    private final Map<String, String> versionByApi = new ConcurrentHashMap<>();

    /**
     * Steps for the chain, a wrapper for the upstream, and the bundle version they use, which every
     * request inside the route holds (so a reload closes the old version only once it is idle).
     */
    public record Plan(List<Step> steps, UnaryOperator<Upstream> upstream, List<Pin> pins) {}

    /** @param keys where the sessions of key-auth APIs are stored back when a JSVM hook changed their metadata */
    public BundleSteps(BundleStore bundles, PluginAuthStep.Shared auth, SessionStore keys) {
        this.bundles = bundles;
        this.auth = auth;
        this.keys = keys;
    }

    public Plan plan(ApiDefinition api) {
        String name = BundleStore.normalize(api.customMiddlewareBundle());
        BundleVersion bundle = bundles.current(name);
        if (bundle == null) {
            BundleStatus st = bundles.status(name);
            String why = switch (st.state()) {
                case "loading" -> "plugin bundle \"" + name + "\" is loading, try again shortly";
                default -> "plugin bundle \"" + name + "\" is not usable: " + st.error();
            };
            return new Plan(List.of(unavailable(why)), UnaryOperator.identity(), List.of());
        }
        String previous = versionByApi.put(api.apiId(), bundle.version());
        if (previous != null && !previous.equals(bundle.version())) auth.cache().invalidate(api.apiId());

        CustomMiddleware cm = bundle.manifest().customMiddleware();
        HookSpec spec = HookSpec.of(api);
        List<Step> steps = new ArrayList<>();
        SessionStore storedKeys = api.auth().sessionsStored() ? keys : null;
        for (HookRef h : cm.pre()) steps.add(new HookStep(bundle, h, spec, null));
        if (api.auth().type() == ApiDefinition.AuthType.PLUGIN) {
            if (cm.authCheck() == null) {
                steps.add(unavailable("plugin bundle \"" + name + "\" has no auth_check hook, but API \"" + api.apiId() + "\" uses auth: plugin"));
            } else {
                if (cm.idExtractor() != null)
                    steps.add(new SessionCacheStep(api.apiId(), new IdExtractor(cm.idExtractor()), auth.cache(), auth.clock()));
                steps.add(new PluginAuthStep(api.apiId(), bundle, cm.authCheck(), spec, auth));
            }
        } else if (cm.authCheck() != null) {
            LOG.warn("api {}: bundle {} has an auth_check hook, but the API's auth is {}: the hook is not used",
                    api.apiId(), name, api.auth().type().name().toLowerCase());
        }
        for (HookRef h : cm.postKeyAuth()) steps.add(new HookStep(bundle, h, spec, storedKeys));
        for (HookRef h : cm.post()) steps.add(new HookStep(bundle, h, spec, storedKeys));
        UnaryOperator<Upstream> up = cm.response().isEmpty() ? UnaryOperator.identity()
                : inner -> new ResponseHookUpstream(inner, bundle, cm.response(), spec);
        return new Plan(steps, up, List.of(bundle));
    }

    private static Step unavailable(String message) {
        return new Step() {
            @Override public String name() { return "plugin-bundle-unavailable"; }
            @Override public Phase phase() { return Phase.PRE; }
            @Override public Outcome apply(Exchange exchange) { return Outcome.error(503, message); }
            @Override public boolean mayBlock() { return false; }
        };
    }
}
