package io.polygate.proxy.routing;

import io.polygate.chain.Step;
import io.polygate.config.ApiDefinition;
import io.polygate.proxy.Upstream;
import java.util.List;

/**
 * An API ready to serve: its definition, its request chain (built once) and where it forwards.
 * Immutable and shared by all requests of the API.
 */
public record Route(ApiDefinition api, List<Step> steps, Upstream upstream, boolean mayBlock) {
    public Route {
        steps = List.copyOf(steps);
    }

    public Route(ApiDefinition api, List<Step> steps, Upstream upstream) {
        this(api, steps, upstream, (upstream != null && upstream.mayBlock()) || steps.stream().anyMatch(Step::mayBlock));
    }

    public String listenPath() { return api.listenPath(); }
}
