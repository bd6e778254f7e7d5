package io.polygate.proxy;

import io.polygate.chain.Pin;
import io.polygate.chain.Step;
import io.polygate.config.ApiDefinition;
import java.util.List;

/**
 * An API ready to serve: its definition, its request chain (built once) and where it forwards.
 * Immutable and shared by all requests of the API. {@code pins} are held by every request inside
 * the route (see {@link Pin}).
 */
public record Route(ApiDefinition api, List<Step> steps, Upstream upstream, boolean mayBlock, List<Pin> pins) {
    public Route {
        steps = List.copyOf(steps);
        pins = pins == null ? List.of() : List.copyOf(pins);
    }

    public Route(ApiDefinition api, List<Step> steps, Upstream upstream, boolean mayBlock) {
        this(api, steps, upstream, mayBlock, List.of());
    }

    public Route(ApiDefinition api, List<Step> steps, Upstream upstream) {
        this(api, steps, upstream, List.of());
    }

    public Route(ApiDefinition api, List<Step> steps, Upstream upstream, List<Pin> pins) {
        this(api, steps, upstream, (upstream != null && upstream.mayBlock()) || steps.stream().anyMatch(Step::mayBlock), pins);
    }

    /** Whether a step after {@code index}, or the upstream, may block its thread. */
    public boolean mayBlockAfter(int index) {
        if (upstream != null && upstream.mayBlock()) return true;
        for (int i = index + 1; i < steps.size(); i++) if (steps.get(i).mayBlock()) return true;
        return false;
    }

    /** Holds every pin, or none: false when one of them is closed (match the request again). */
    public boolean retain() {
        for (int i = 0; i < pins.size(); i++) {
            if (!pins.get(i).tryRetain()) {
                for (int j = 0; j < i; j++) pins.get(j).release();
                return false;
            }
        }
        return true;
    }

    /** Gives back what {@link #retain()} took. */
    public void release() {
        for (Pin p : pins) p.release();
    }

    public String listenPath() { return api.listenPath(); }
}
