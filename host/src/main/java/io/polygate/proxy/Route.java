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
public record Route(ApiDefinition api, List<Step> steps, Upstream upstream, List<Pin> pins) {
    public Route {
        steps = List.copyOf(steps);
        pins = pins == null ? List.of() : List.copyOf(pins);
    }

    public Route(ApiDefinition api, List<Step> steps, Upstream upstream) {
        this(api, steps, upstream, List.of());
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
