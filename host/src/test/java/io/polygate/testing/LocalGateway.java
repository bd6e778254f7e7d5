package io.polygate.testing;

import io.polygate.config.GatewayConfig.ProxyConfig;
import io.polygate.observability.JsonErrorHandler;
import io.polygate.observability.Metrics;
import io.polygate.proxy.ChainHandler;
import io.polygate.proxy.ClientAddresses;
import io.polygate.proxy.Route;
import io.polygate.proxy.RouteTable;
import io.polygate.proxy.UpstreamHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;

/**
 * The gateway's serving path without the gateway: a Jetty server whose only connector is a
 * {@link LocalConnector} (raw HTTP request text in, the parsed response out, no sockets), the real
 * {@link ChainHandler} and the gateway's JSON error handler, serving the routes it is given. Routes
 * that proxy use {@link #proxy()}, the real upstream handler, to reach a real upstream.
 */
public final class LocalGateway implements AutoCloseable {
    private static final ProxyConfig PROXY = new ProxyConfig(Duration.ofSeconds(10), Duration.ofSeconds(2), 16,
            Duration.ofSeconds(30), 16 * 1024, 0, ProxyConfig.DEFAULT_CLIENT_HEADER_TIMEOUT, 0, 0);

    private final Server server = new Server();
    private final LocalConnector connector = new LocalConnector(server);
    private final ChainHandler chain = new ChainHandler(new Metrics(), PROXY.maxRequestBodyBytes(), PROXY.minRequestDataRate(),
            PROXY.clientHeaderTimeout(), new ClientAddresses(java.util.List.of()));
    private final UpstreamHandler proxy = new UpstreamHandler(PROXY);

    private LocalGateway() {}

    /** A started server with no routes yet (every path answers 404). */
    public static LocalGateway start() throws Exception {
        LocalGateway g = new LocalGateway();
        g.server.addConnector(g.connector);
        g.server.setErrorHandler(new JsonErrorHandler());
        g.proxy.setServer(g.server);
        g.server.addBean(g.proxy);
        g.server.setHandler(g.chain);
        g.server.start();
        return g;
    }

    /** The upstream handler that routes built here forward through ({@code RouteBuilder} takes it). */
    public UpstreamHandler proxy() { return proxy; }

    /** Serves exactly these routes from now on, matched by listen path as the gateway does. */
    public LocalGateway serve(Route... routes) {
        chain.routes(new RouteTable(List.of(routes)));
        return this;
    }

    /** A GET of {@code pathAndQuery} with header name/value pairs. */
    public HttpTester.Response get(String pathAndQuery, String... headers) throws Exception {
        StringBuilder raw = new StringBuilder("GET ").append(pathAndQuery).append(" HTTP/1.1\r\nHost: local\r\n");
        for (int i = 0; i + 1 < headers.length; i += 2) raw.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        return send(raw.append("Connection: close\r\n\r\n").toString());
    }

    /** Sends one raw HTTP/1.1 request (head and body as they go on the wire) and parses the answer. */
    public HttpTester.Response send(String rawRequest) throws Exception {
        String raw = connector.getResponse(rawRequest, 10, TimeUnit.SECONDS);
        if (raw == null) throw new AssertionError("no response within 10 s to:\n" + rawRequest);
        return HttpTester.parseResponse(raw);
    }

    @Override
    public void close() throws Exception { server.stop(); }
}
