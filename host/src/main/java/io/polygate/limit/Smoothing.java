package io.polygate.limit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rate limit smoothing, as Tyk defines it ({@code smoothing: {enabled, threshold, trigger, step,
 * delay}} on a key or policy): the key's allowance starts at {@code threshold} and moves by
 * {@code step} between {@code threshold} and the key's {@code rate}, at most once per
 * {@code delay} seconds. It goes up when the request count in the window rises above
 * {@code allowance - step * trigger}, and down when it falls below
 * {@code allowance - step * (1 + trigger)}. Each change is logged and counted
 * ({@code smoothing_up}, {@code smoothing_down}).
 *
 * <p>The allowance is kept per node (the counter itself may be shared in Redis, so every node sees
 * the same request count and steps the same way, but a node that just started begins again at
 * {@code threshold}). Thread-safe.
 */
final class Smoothing {
    private static final Logger LOG = LoggerFactory.getLogger(Smoothing.class);

    /** Parsed settings; null from {@link #of} when smoothing is off or incomplete. */
    record Settings(double threshold, double trigger, double step, long delayMillis) {}

    private static final class State {
        double allowance = -1;
        long changedAtMillis = Long.MIN_VALUE / 2;
    }

    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();
    private final LimitMetrics metrics;

    Smoothing(LimitMetrics metrics) { this.metrics = metrics; }

    static Settings of(Map<String, Object> m) {
        if (m == null || !Boolean.TRUE.equals(m.get("enabled"))) return null;
        double threshold = KeyLimits.num(m.get("threshold")), step = KeyLimits.num(m.get("step"));
        if (threshold <= 0 || step <= 0) return null;
        return new Settings(threshold, KeyLimits.num(m.get("trigger")), step, (long) (KeyLimits.num(m.get("delay")) * 1000));
    }

    /** The allowance to enforce now for {@code counter}, in [threshold, rate]. */
    double allowance(String counter, Settings s, double rate) {
        State st = states.computeIfAbsent(counter, k -> new State());
        synchronized (st) {
            if (st.allowance < 0) st.allowance = Math.min(s.threshold, rate);
            st.allowance = Math.max(Math.min(s.threshold, rate), Math.min(st.allowance, rate));
            return st.allowance;
        }
    }

    /** Steps the allowance after a check that saw {@code requestsInWindow} requests. */
    void observe(String counter, Settings s, double rate, long requestsInWindow, long nowMillis) {
        State st = states.get(counter);
        if (st == null) return;
        synchronized (st) {
            if (nowMillis - st.changedAtMillis < s.delayMillis) return;
            double before = st.allowance;
            if (requestsInWindow > before - s.step * s.trigger && before < rate) {
                st.allowance = Math.min(rate, before + s.step);
                metrics.smoothingUp.increment();
            } else if (requestsInWindow < before - s.step * (1 + s.trigger) && before > s.threshold) {
                st.allowance = Math.max(Math.min(s.threshold, rate), before - s.step);
                metrics.smoothingDown.increment();
            } else {
                return;
            }
            st.changedAtMillis = nowMillis;
            LOG.info("rate limit smoothing {}: counter={} allowance {} -> {} (rate {}, {} requests in the window)",
                    st.allowance > before ? "up" : "down", CounterIds.redacted(counter), fmt(before), fmt(st.allowance), fmt(rate), requestsInWindow);
        }
    }

    private static String fmt(double d) { return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d); }
}
