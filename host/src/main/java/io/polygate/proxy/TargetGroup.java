package io.polygate.proxy;

import io.polygate.config.UpstreamSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The targets of one API and which of them are in rotation. A target is out while its active
 * check says so ({@link ActiveHealthCheck}), or for {@code cooldown} after {@code failures}
 * proxied failures in a row (passive). {@link #pick} chooses among the targets in rotation:
 * nginx's smooth weighted round robin (each target in turn, as often as its weight, interleaved),
 * or the fewest requests in flight relative to weight. Written by hand: the balancing is a few
 * lines, and a library would not know the gateway's health state.
 *
 * <p>Thread-safe: picking holds the group's lock for a scan of its targets (a handful).
 */
final class TargetGroup {
    private static final Logger LOG = LoggerFactory.getLogger(TargetGroup.class);

    private final String apiId;
    private final UpstreamSpec spec;
    private final List<Member> members = new ArrayList<>();

    TargetGroup(String apiId, UpstreamSpec spec, java.util.function.Function<java.net.URI, UpstreamHandler.Target> resolve) {
        this.apiId = apiId;
        this.spec = spec;
        for (UpstreamSpec.Target t : spec.targets()) members.add(new Member(resolve.apply(t.url()), t.url().toString(), t.weight()));
    }

    String apiId() { return apiId; }
    UpstreamSpec spec() { return spec; }
    List<Member> members() { return members; }

    /** A target in rotation that is not in {@code tried}, or null when there is none. */
    Member pick(List<Member> tried) {
        long now = System.nanoTime();
        synchronized (this) {
            Member best = null;
            if (spec.balance() == UpstreamSpec.Balance.LEAST_REQUESTS) {
                for (Member m : members) {
                    if (!m.inRotation(now) || tried.contains(m)) continue;
                    if (best == null || (long) m.inFlight.get() * best.weight < (long) best.inFlight.get() * m.weight) best = m;
                }
                return best;
            }
            int total = 0;
            for (Member m : members) {
                if (!m.inRotation(now) || tried.contains(m)) continue;
                m.current += m.weight;
                total += m.weight;
                if (best == null || m.current > best.current) best = m;
            }
            if (best != null) best.current -= total;
            return best;
        }
    }

    /** Whether a target in rotation is not in {@code tried}. */
    boolean anyInRotationBesides(List<Member> tried) {
        long now = System.nanoTime();
        for (Member m : members) if (m.inRotation(now) && !tried.contains(m)) return true;
        return false;
    }

    /** One target of the group, with its health and load. */
    final class Member {
        final UpstreamHandler.Target target;
        final String url;
        final int weight;
        final AtomicInteger inFlight = new AtomicInteger();
        /** Smooth weighted round robin's running weight; guarded by the group's lock. */
        private int current;
        private volatile boolean activeHealthy = true;
        private volatile long passiveOutUntil;
        private final AtomicInteger failuresInARow = new AtomicInteger();
        /** The active check's run of results; written by the check only. */
        private int checkSuccesses;
        private int checkFailures;

        Member(UpstreamHandler.Target target, String url, int weight) {
            this.target = target;
            this.url = url;
            this.weight = weight;
        }

        TargetGroup group() { return TargetGroup.this; }

        boolean inRotation(long now) { return activeHealthy && now - passiveOutUntil >= 0; }

        /** A proxied request to it got an answer that is not a 502, 503 or 504. */
        void proxied() { failuresInARow.set(0); }

        /** A proxied request to it failed, or got 502, 503 or 504. */
        void proxyFailed(String why) {
            UpstreamSpec.PassiveCheck passive = spec.passive();
            if (passive.failures() <= 0 || failuresInARow.incrementAndGet() < passive.failures()) return;
            failuresInARow.set(0);
            passiveOutUntil = System.nanoTime() + passive.cooldown().toNanos();
            LOG.warn("api={} target {} out of rotation for {} ms after {} failures in a row (last: {})",
                    apiId, url, passive.cooldown().toMillis(), passive.failures(), why);
        }

        /** The result of one active check. */
        synchronized void checked(boolean healthy, String why) {
            UpstreamSpec.ActiveCheck check = spec.active();
            if (healthy) {
                checkFailures = 0;
                if (!activeHealthy && ++checkSuccesses >= check.healthyAfter()) {
                    activeHealthy = true;
                    passiveOutUntil = 0;
                    LOG.info("api={} target {} healthy again: back in rotation", apiId, url);
                }
            } else {
                checkSuccesses = 0;
                if (activeHealthy && ++checkFailures >= check.unhealthyAfter()) {
                    activeHealthy = false;
                    LOG.warn("api={} target {} out of rotation: {} health checks in a row failed (last: {})",
                            apiId, url, check.unhealthyAfter(), why);
                }
            }
        }
    }
}
