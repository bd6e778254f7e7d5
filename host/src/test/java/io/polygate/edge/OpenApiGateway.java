package io.polygate.edge;

import io.polygate.testing.GatewayFixture;
import io.polygate.testing.LoopbackUpstream;
import java.util.function.BiFunction;
import org.eclipse.jetty.server.Request;

/** A gateway with one keyless API, {@code /open/}, in front of a loopback upstream: what the edge tests send hostile bytes to. */
final class OpenApiGateway implements AutoCloseable {
    final LoopbackUpstream upstream;
    final GatewayFixture gw;

    private OpenApiGateway(LoopbackUpstream upstream, GatewayFixture gw) {
        this.upstream = upstream;
        this.gw = gw;
    }

    /** {@code settings}: gateway YAML before the API; {@code answer}: the upstream's body for a request and its body. */
    static OpenApiGateway start(String settings, BiFunction<Request, String, String> answer) throws Exception {
        LoopbackUpstream upstream = LoopbackUpstream.answering(answer);
        try {
            return new OpenApiGateway(upstream, GatewayFixture.start(settings + """

                    apis:
                      - {api_id: open, listen_path: /open/, target_url: "http://127.0.0.1:%d", auth: none}
                    """.formatted(upstream.port())));
        } catch (Exception | Error e) {
            upstream.close();
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        try (upstream) {
            gw.close();
        }
    }
}
