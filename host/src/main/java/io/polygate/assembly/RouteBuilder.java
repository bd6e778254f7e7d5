package io.polygate.assembly;

import io.polygate.access.CorsStep;
import io.polygate.access.IpAccessStep;
import io.polygate.auth.KeyAuthStep;
import io.polygate.proxy.Route;
import io.polygate.session.SessionStore;
import io.polygate.bundle.BundleSteps;
import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.chain.Phase;
import io.polygate.chain.Pin;
import io.polygate.chain.Step;
import io.polygate.config.ApiDefinition;
import io.polygate.limit.LimitStep;
import io.polygate.limit.Limits;
import io.polygate.proxy.EchoUpstream;
import io.polygate.proxy.Upstream;
import io.polygate.proxy.UpstreamHandler;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Builds an API's {@link Route} from its definition: the steps in phase order and the upstream.
 * Called when an API or its bundle changes, never per request.
 */
public class RouteBuilder {
    private final SessionStore sessions;
    private final UpstreamHandler proxy;
    private final EchoUpstream echo = new EchoUpstream();
    private final InstantSource clock;
    private final Limits limits;
    private volatile BundleSteps bundles;

    public RouteBuilder(SessionStore sessions, UpstreamHandler proxy, InstantSource clock, Limits limits) {
        this.sessions = sessions;
        this.proxy = proxy;
        this.clock = clock;
        this.limits = limits;
    }

    /** Enables plugin bundles: APIs with {@code custom_middleware_bundle} get the bundle's hooks. */
    public RouteBuilder bundles(BundleSteps bundles) {
        this.bundles = bundles;
        return this;
    }

    public Route build(ApiDefinition api) {
        BundleSteps plugins = bundles;
        List<Step> steps = new ArrayList<>();
        if (!api.ipLists().isEmpty()) steps.add(new IpAccessStep(api.ipLists()));
        if (api.cors().enabled()) steps.add(new CorsStep(api.cors()));
        switch (api.auth().type()) {
            case KEY -> steps.add(new KeyAuthStep(api.apiId(), api.auth().header(), sessions, clock, limits.policies()));
            case PLUGIN -> {
                if (plugins == null) steps.add(unavailable("plugin-auth", Phase.AUTH,
                        "plugin bundle \"" + api.customMiddlewareBundle() + "\" is not loaded"));
            }
            case NONE -> { }
        }
        if (LimitStep.applies(api)) steps.add(new LimitStep(api, limits));
        Upstream upstream = api.isEcho() ? echo
                : api.upstream() != null ? proxy.balanced(api.apiId(), api.upstream()) : proxy.to(api.targetUrl());
        List<Pin> pins = List.of();
        if (plugins != null && api.customMiddlewareBundle() != null) {
            BundleSteps.Plan plan = plugins.plan(api);
            steps.addAll(plan.steps());
            upstream = plan.upstream().apply(upstream);
            pins = plan.pins();
        }
        steps.sort(Comparator.comparing(Step::phase)); // stable: config order within a phase
        return new Route(api, steps, upstream, pins);
    }

    /** After the routes of {@code apiIds} were built: what upstreams keep for other APIs (health checks) is let go. */
    public void retainOnly(java.util.Set<String> apiIds) {
        proxy.retainGroups(apiIds);
    }

    /** A step that answers 503: the API is defined but something it needs is not ready. */
    protected static Step unavailable(String name, Phase phase, String message) {
        return new Step() {
            @Override public String name() { return name; }
            @Override public Phase phase() { return phase; }
            @Override public Outcome apply(Exchange exchange) { return Outcome.error(503, message); }
            @Override public boolean mayBlock() { return false; }
        };
    }
}
