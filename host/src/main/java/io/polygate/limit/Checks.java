package io.polygate.limit;

import io.polygate.chain.Exchange;
import io.polygate.config.LimitSpec.Window;
import java.util.ArrayList;
import java.util.List;

/** The limiter calls of one request, in the order its scopes are checked; the first denial ends them. */
final class Checks {
    /** One limiter call; {@code smooth} (a key's global limit with smoothing) observes its decision. */
    record Check(String scope, String counter, Window window, Smoothing.Settings smooth, double smoothRate) {}

    private final List<Check> checks = new ArrayList<>(2);
    private final Exchange exchange;
    private final String listenPath;
    private String path;

    Checks(Exchange exchange, String listenPath) {
        this.exchange = exchange;
        this.listenPath = listenPath;
    }

    Exchange exchange() { return exchange; }

    String method() { return exchange.clientRequest().getMethod(); }

    /** The request path below the listen path ({@code /log/mobile} for {@code /api/log/mobile} on {@code /api}). */
    String path() {
        if (path == null) {
            String p = exchange.clientRequest().getHttpURI().getCanonicalPath();
            if (p == null) p = "/";
            else if (!listenPath.equals("/") && p.startsWith(listenPath)) p = p.substring(listenPath.length());
            path = p.isEmpty() ? "/" : p;
        }
        return path;
    }

    /** A limit's windows, each its own counter when there are several. */
    void add(String scope, String counter, Window... windows) {
        for (int i = 0; i < windows.length; i++)
            checks.add(new Check(scope, CounterIds.window(counter, i, windows.length), windows[i], null, 0));
    }

    /** A smoothed limit: {@code window} holds the current allowance, {@code rate} the limit it moves up to. */
    void addSmoothed(String scope, String counter, Window window, Smoothing.Settings smooth, double rate) {
        checks.add(new Check(scope, counter, window, smooth, rate));
    }

    int size() { return checks.size(); }

    Check get(int index) { return checks.get(index); }
}
