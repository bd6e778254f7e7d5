package io.polygate.proxy;

import io.polygate.chain.Exchange;
import io.polygate.observability.JsonErrors;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.WebSocketComponents;
import org.eclipse.jetty.websocket.core.client.CoreClientUpgradeRequest;
import org.eclipse.jetty.websocket.core.client.WebSocketCoreClient;
import org.eclipse.jetty.websocket.core.server.Handshaker;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.core.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;
import org.eclipse.jetty.websocket.core.server.WebSocketServerComponents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WebSocket through the gateway (Tyk's {@code enable_websockets}): an upgrade request that passed
 * its API's chain (auth and limits apply to it like to any request) is first upgraded to the
 * upstream, with the client's headers and offered subprotocols; only when the upstream accepted is
 * the client upgraded, with the subprotocol the upstream chose. Then every data frame (text,
 * binary, continuation) is relayed both ways as it comes, one at a time per direction (a side
 * reads its next frame once the other side has sent the last one: backpressure), and a close on
 * one side closes the other with the same code. Pings are answered on each hop; no extension
 * (compression) is negotiated on either. An upstream that refuses the upgrade or cannot be reached
 * gives the client a 502 JSON error naming why.
 */
final class WebSocketBridge extends AbstractLifeCycle {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketBridge.class);
    private static final EnumSet<HttpHeader> NOT_FORWARDED = EnumSet.of(HttpHeader.CONNECTION, HttpHeader.UPGRADE, HttpHeader.HOST,
            HttpHeader.SEC_WEBSOCKET_KEY, HttpHeader.SEC_WEBSOCKET_VERSION, HttpHeader.SEC_WEBSOCKET_EXTENSIONS,
            HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL, HttpHeader.KEEP_ALIVE, HttpHeader.TE, HttpHeader.TRANSFER_ENCODING,
            HttpHeader.PROXY_AUTHORIZATION, HttpHeader.CONTENT_LENGTH);

    private final Handshaker handshaker = Handshaker.newInstance();
    private final Server server;
    private final long connectTimeoutMillis;
    private WebSocketComponents serverComponents;
    private WebSocketCoreClient client;

    WebSocketBridge(Server server, long connectTimeoutMillis) {
        this.server = server;
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    @Override
    protected void doStart() throws Exception {
        serverComponents = WebSocketServerComponents.ensureWebSocketComponents(server);
        // an HTTP client of its own (the proxy's, tuned for non-blocking exchanges, does not hand
        // upgraded connections over), on the server's threads
        HttpClient http = new HttpClient();
        http.setExecutor(server.getThreadPool());
        http.setConnectTimeout(connectTimeoutMillis);
        http.setUserAgentField(null);
        client = new WebSocketCoreClient(http, serverComponents);
        client.start();
    }

    @Override
    protected void doStop() throws Exception {
        client.stop();
    }

    /** Whether {@code request} asks for a WebSocket upgrade (RFC 6455: GET, {@code Upgrade: websocket}, version 13). */
    boolean isUpgrade(Request request) {
        return handshaker.isWebSocketUpgradeRequest(request);
    }

    /** Upgrades to {@code upstream} (an http(s) URI of the target, path and query), then the client. */
    void forward(Exchange exchange, URI upstream, Response response, Callback callback) {
        Request request = exchange.clientRequest();
        URI ws = URI.create(upstream.toString().replaceFirst("^http", "ws"));
        Hop toUpstream = new Hop("upstream");
        Hop toClient = new Hop("client");
        toUpstream.other = toClient;
        toClient.other = toUpstream;
        CoreClientUpgradeRequest upgrade = CoreClientUpgradeRequest.from(client, ws, toUpstream);
        upgrade.setSubProtocols(request.getHeaders().getCSV(HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL, false));
        upgrade.headers(headers -> {
            for (HttpField f : exchange.headers())
                if (f.getHeader() == null || !NOT_FORWARDED.contains(f.getHeader())) headers.add(f);
            headers.put(HttpHeader.X_FORWARDED_FOR, UpstreamHandler.forwardedFor(headers.get(HttpHeader.X_FORWARDED_FOR), Request.getRemoteAddr(request)));
        });
        upgrade.timeout(connectTimeoutMillis, TimeUnit.MILLISECONDS);
        try {
            client.connect(upgrade).whenComplete((upstreamSession, failure) -> {
                if (failure != null) {
                    LOG.warn("api={} websocket upstream={} refused: {}", exchange.apiId(), ws, failure.toString());
                    JsonErrors.write(response, callback, 502, "upstream refused the WebSocket upgrade: " + failure.getMessage());
                    return;
                }
                upgradeClient(exchange, upstreamSession, toClient, response, callback);
            });
        } catch (java.io.IOException e) {
            JsonErrors.write(response, callback, 502, "upstream unreachable: " + e.getMessage());
        }
    }

    private void upgradeClient(Exchange exchange, CoreSession upstreamSession, Hop toClient, Response response, Callback callback) {
        WebSocketNegotiator negotiator = new WebSocketNegotiator.AbstractNegotiator() {
            @Override
            public FrameHandler negotiate(ServerUpgradeRequest req, ServerUpgradeResponse resp, Callback cb) {
                resp.setAcceptedSubProtocol(upstreamSession.getNegotiatedSubProtocol());
                resp.setExtensions(List.of());
                return toClient;
            }
        };
        try {
            if (!handshaker.upgradeRequest(negotiator, exchange.clientRequest(), response, callback, serverComponents, null)) {
                upstreamSession.close(CloseStatus.SERVER_ERROR, "the client's upgrade failed", Callback.NOOP);
                if (!response.isCommitted()) JsonErrors.write(response, callback, 400, "not a valid WebSocket upgrade request");
            }
        } catch (RuntimeException e) {
            upstreamSession.close(CloseStatus.SERVER_ERROR, "the client's upgrade failed", Callback.NOOP);
            LOG.info("api={} websocket upgrade of the client failed: {}", exchange.apiId(), e.toString());
            if (!response.isCommitted()) JsonErrors.write(response, callback, 400, "WebSocket upgrade failed: " + e.getMessage());
        }
    }

    /**
     * One side of the bridge: receives that side's frames and sends them on the other side. The
     * upstream hop opens first and reads nothing until the client hop is open.
     */
    private static final class Hop implements FrameHandler {
        final String name;
        Hop other;
        volatile CoreSession session;

        Hop(String name) { this.name = name; }

        @Override
        public void onOpen(CoreSession coreSession, Callback callback) {
            session = coreSession;
            callback.succeeded();
            if (name.equals("client")) {
                // both sides open: start reading each
                session.demand();
                other.session.demand();
            }
        }

        @Override
        public void onFrame(Frame frame, Callback callback) {
            byte op = frame.getOpCode();
            if (op == OpCode.CLOSE) {
                closeOther(new CloseStatus(frame));
                callback.succeeded(); // the core answers this side's close
                return;
            }
            if (op == OpCode.PING || op == OpCode.PONG) { // answered on this hop by the core
                callback.succeeded();
                session.demand();
                return;
            }
            ByteBuffer payload = frame.getPayload();
            ByteBuffer copy = ByteBuffer.allocate(payload == null ? 0 : payload.remaining());
            if (payload != null) copy.put(payload.slice()).flip();
            other.session.sendFrame(new Frame(op, frame.isFin(), copy), Callback.from(() -> {
                callback.succeeded();
                session.demand();
            }, x -> {
                callback.failed(x);
                session.close(CloseStatus.SERVER_ERROR, "the other side failed", Callback.NOOP);
            }), false);
        }

        @Override
        public void onError(Throwable cause, Callback callback) {
            LOG.debug("websocket {} side failed: {}", name, cause.toString());
            callback.succeeded();
        }

        @Override
        public void onClosed(CloseStatus closeStatus, Callback callback) {
            closeOther(closeStatus);
            callback.succeeded();
        }

        /** Closes the other side with this side's code; a code that cannot be sent (none, abnormal) as 1000 or 1001. */
        private void closeOther(CloseStatus status) {
            CoreSession o = other.session;
            if (o == null || o.isClosed()) return;
            int code = status.getCode();
            if (CloseStatus.isTransmittableStatusCode(code)) o.close(code, status.getReason(), Callback.NOOP);
            else o.close(code == CloseStatus.NO_CODE ? CloseStatus.NORMAL : CloseStatus.SHUTDOWN, null, Callback.NOOP);
        }
    }
}
