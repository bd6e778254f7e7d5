package io.polygate.assembly;

import io.polygate.access.CorsStep;
import io.polygate.access.IpAccessStep;
import io.polygate.auth.AuthMethod;
import io.polygate.auth.BasicAuthStep;
import io.polygate.auth.FirstOfAuthStep;
import io.polygate.auth.JwtAuthStep;
import io.polygate.auth.KeyAuthStep;
import io.polygate.auth.MtlsAuthStep;
import io.polygate.config.ConfigException;
import io.polygate.proxy.Route;
import io.polygate.session.SessionStore;
import io.polygate.bundle.BundleSteps;
import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.chain.Phase;
import io.polygate.chain.Pin;
import io.polygate.chain.Step;
import io.polygate.config.ApiDefinition;
import io.polygate.config.ApiDefinition.AuthType;
import io.polygate.limit.LimitStep;
import io.polygate.limit.Limits;
import io.polygate.proxy.EchoUpstream;
import io.polygate.proxy.Upstream;
import io.polygate.proxy.UpstreamHandler;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds an API's {@link Route} from its definition: the steps in phase order and the upstream.
 * Called when an API or its bundle changes, never per request.
 */
public class RouteBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(RouteBuilder.class);
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
        List<AuthType> methods = api.auth().methods();
        if (methods.size() > 1) {
            List<AuthMethod> tried = methods.stream().filter(m -> m != AuthType.NONE).map(m -> authMethod(api, m)).toList();
            steps.add(new FirstOfAuthStep(tried, methods.contains(AuthType.NONE)));
        } else if (api.auth().type() == AuthType.PLUGIN) {
            if (plugins == null) steps.add(unavailable("plugin-auth", Phase.AUTH,
                    "plugin bundle \"" + api.customMiddlewareBundle() + "\" is not loaded"));
        } else if (api.auth().type() != AuthType.NONE) {
            steps.add(authMethod(api, api.auth().type()));
        }
        if (LimitStep.applies(api)) steps.add(new LimitStep(api, limits));
        Upstream upstream;
        try {
            upstream = api.isEcho() ? echo : api.upstream() != null
                    ? proxy.balanced(api.apiId(), api.upstream(), api.upstreamTls()) : proxy.to(api.targetUrl(), api.upstreamTls());
        } catch (ConfigException e) {
            // a file of upstream_tls does not hold what it should: the API answers why until it is fixed
            LOG.error("API \"{}\": upstream_tls unusable, the API answers 503: {}", api.apiId(), String.join("; ", e.errors()));
            steps.add(unavailable("upstream-tls", Phase.PRE, "upstream_tls: " + String.join("; ", e.errors())));
            upstream = echo; // never reached: the step answers first
        }
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

    /** The built-in step of one auth method (plugin auth comes with the bundle's steps). */
    private AuthMethod authMethod(ApiDefinition api, AuthType type) {
        return switch (type) {
            case KEY -> new KeyAuthStep(api.apiId(), api.auth().header(), sessions, clock, limits.policies());
            case JWT -> new JwtAuthStep(api.apiId(), api.auth().jwt(), sessions, limits.policies(), clock);
            case BASIC -> new BasicAuthStep(api.apiId(), api.name(), api.auth().basic().cacheTtl(), sessions, limits.policies(), clock,
                    task -> proxy.getServer().getThreadPool().execute(task));
            case MTLS -> new MtlsAuthStep(api.clientCertificates(),
                    new KeyAuthStep(api.apiId(), api.auth().header(), sessions, clock, limits.policies()));
            case NONE, PLUGIN -> throw new IllegalArgumentException(type + " is not a built-in auth method");
        };
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
