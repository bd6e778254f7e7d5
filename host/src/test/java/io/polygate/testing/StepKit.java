package io.polygate.testing;

import io.polygate.chain.Exchange;
import io.polygate.chain.Step;
import io.polygate.config.ApiDefinition;
import io.polygate.proxy.EchoUpstream;
import io.polygate.proxy.Route;
import io.polygate.proxy.Upstream;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One step under test, on real Jetty requests: served alone on a {@link LocalGateway} in front of
 * the built-in echo upstream, which answers 200 with the request as it got it and records the
 * {@link Exchange} that reached it (what the step left for the next one).
 */
public final class StepKit implements AutoCloseable {
    private final LocalGateway gateway;
    private final AtomicReference<Exchange> reachedUpstream = new AtomicReference<>();

    private StepKit(LocalGateway gateway) { this.gateway = gateway; }

    /** {@code step} on a keyless echo API listening on {@code /}. */
    public static StepKit of(Step step) throws Exception {
        return of(TestApis.parse("api_id: step-kit\nlisten_path: /\ntarget_url: echo://"), step);
    }

    /** {@code step} as the only step of {@code api}, whose upstream becomes the echo. */
    public static StepKit of(ApiDefinition api, Step step) throws Exception {
        StepKit kit = new StepKit(LocalGateway.start());
        kit.gateway.serve(new Route(api, List.of(step), kit.recordingEcho()));
        return kit;
    }

    private Upstream recordingEcho() {
        Upstream echo = new EchoUpstream();
        return new Upstream() {
            @Override
            public void forward(Exchange exchange, Response response, Callback callback) {
                reachedUpstream.set(exchange);
                echo.forward(exchange, response, callback);
            }

            @Override
            public boolean mayBlock() { return echo.mayBlock(); }
        };
    }

    /** The exchange of the latest request the step let through to the upstream, or null if none did. */
    public Exchange reachedUpstream() { return reachedUpstream.get(); }

    /** See {@link LocalGateway#get}. */
    public HttpTester.Response get(String pathAndQuery, String... headers) throws Exception {
        return gateway.get(pathAndQuery, headers);
    }

    /** See {@link LocalGateway#send}. */
    public HttpTester.Response send(String rawRequest) throws Exception { return gateway.send(rawRequest); }

    @Override
    public void close() throws Exception { gateway.close(); }
}
