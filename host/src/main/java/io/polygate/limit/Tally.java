package io.polygate.limit;

import io.polygate.config.LimitSpec.Window;

/** The decisions of one request's checks: the tightest so far (whose numbers the headers show), and the denial if any. */
final class Tally {
    private Decision tightest;
    private String tightestScope;
    private Window tightestWindow;
    private Decision denied;

    void add(String scope, Window window, Decision d) {
        if (!d.allowed()) denied = d;
        if (tightest == null || !d.allowed() || (tightest.allowed() && d.remaining() < tightest.remaining())) {
            tightest = d;
            tightestScope = scope;
            tightestWindow = window;
        }
    }

    /** Null when no check ran. */
    Decision tightest() { return tightest; }

    String tightestScope() { return tightestScope; }

    Window tightestWindow() { return tightestWindow; }

    /** Null when every check allowed. */
    Decision denied() { return denied; }
}
