package io.polygate.proxy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The immutable set of routes the gateway serves; a change builds a new table and swaps it in
 * whole. Matching is by path prefix on segment boundaries ({@code /demo} matches {@code /demo},
 * {@code /demo/} and {@code /demo/x}, not {@code /demox}); the longest listen path wins.
 */
public final class RouteTable {
    private final Route[] byLengthDesc;

    public RouteTable(List<Route> routes) {
        List<Route> sorted = new ArrayList<>(routes);
        sorted.sort(Comparator.comparingInt((Route r) -> r.listenPath().length()).reversed());
        this.byLengthDesc = sorted.toArray(Route[]::new);
    }

    public static RouteTable empty() { return new RouteTable(List.of()); }

    /** The route for a decoded, normalised request path, or null. */
    public Route match(String path) {
        for (Route r : byLengthDesc) {
            if (matches(r.listenPath(), path)) return r;
        }
        return null;
    }

    static boolean matches(String listenPath, String path) {
        if (listenPath.equals("/")) return true;
        if (!path.startsWith(listenPath)) return false;
        return path.length() == listenPath.length() || path.charAt(listenPath.length()) == '/';
    }

    public List<Route> routes() { return List.of(byLengthDesc); }

    public int size() { return byLengthDesc.length; }
}
