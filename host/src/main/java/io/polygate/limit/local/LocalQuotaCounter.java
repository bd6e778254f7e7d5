package io.polygate.limit.local;

import io.polygate.limit.QuotaCounter;
import java.time.InstantSource;

/** Quotas in memory: one counter and period end per key. */
public final class LocalQuotaCounter implements QuotaCounter {
    private static final class Period extends LocalStates.Expiring {
        boolean started;
        long used;
        long renewsAt;
    }

    private final LocalStates<Period> periods = new LocalStates<>(k -> new Period());
    private final InstantSource clock;

    public LocalQuotaCounter(InstantSource clock) { this.clock = clock; }

    @Override
    public Result peek(String counterId, long max) {
        Period p = periods.peek(counterId);
        if (p == null) return null;
        synchronized (p) {
            if (!p.started) return null;
            if (p.renewsAt != 0 && clock.millis() >= p.renewsAt) return new Result(true, max, max, p.renewsAt);
            return new Result(p.used < max, max, Math.max(0, max - p.used), p.renewsAt);
        }
    }

    @Override
    public Result consume(String counterId, long max, long usedAtStart, long renewalSeconds, long permits) {
        long now = clock.millis();
        Period p = periods.get(counterId, now);
        synchronized (p) {
            if (!p.started) {
                p.started = true;
                p.used = usedAtStart;
                p.renewsAt = renewalSeconds > 0 ? now + renewalSeconds * 1000 : 0;
            } else if (p.renewsAt != 0 && now >= p.renewsAt) {
                p.used = 0;
                p.renewsAt = now + renewalSeconds * 1000;
            }
            // never renewing counters must not be swept
            p.expiresAtMillis = p.renewsAt == 0 ? 0 : p.renewsAt + 1;
            if (p.used + permits > max) return new Result(false, max, Math.max(0, max - p.used), p.renewsAt);
            p.used += permits;
            return new Result(true, max, max - p.used, p.renewsAt);
        }
    }
}
