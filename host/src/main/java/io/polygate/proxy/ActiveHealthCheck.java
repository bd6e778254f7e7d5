package io.polygate.proxy;

import io.polygate.config.UpstreamSpec;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * The active health check of a {@link TargetGroup}: every {@code interval}, a GET of the check's
 * path on each target with the proxy's HTTP client, asynchronous (no thread waits for an answer);
 * a 2xx or 3xx within {@code timeout} counts as healthy. Runs until {@link #stop()}.
 */
final class ActiveHealthCheck {
    private final TargetGroup group;
    private final UpstreamSpec.ActiveCheck check;
    private final HttpClient client;
    private volatile boolean stopped;
    private volatile Scheduler.Task next;

    ActiveHealthCheck(TargetGroup group, HttpClient client) {
        this.group = group;
        this.check = group.spec().active();
        this.client = client;
    }

    void start() { schedule(); }

    void stop() {
        stopped = true;
        Scheduler.Task t = next;
        if (t != null) t.cancel();
    }

    private void schedule() {
        if (!stopped) next = client.getScheduler().schedule(this::round, check.interval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void round() {
        if (stopped) return;
        for (TargetGroup.Member m : group.members()) {
            client.newRequest(m.target.origin())
                    .path(UpstreamHandler.joinPath(m.target.basePath(), check.path()))
                    .timeout(check.timeout().toMillis(), TimeUnit.MILLISECONDS)
                    .send(result -> {
                        if (stopped) return;
                        int status = result.getResponse() == null ? 0 : result.getResponse().getStatus();
                        boolean healthy = !result.isFailed() && status >= 200 && status < 400;
                        m.checked(healthy, result.isFailed() ? String.valueOf(result.getFailure()) : "status " + status);
                    });
        }
        schedule();
    }
}
