package io.polygate.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.GatewayFixture;
import io.polygate.testing.LoopbackUpstream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A WebSocket echo upstream behind the gateway: text and binary frames go both ways, the
 * subprotocol the upstream picks reaches the client, a close handshake passes through with its
 * code, and the upgrade request meets the API's authentication like any request.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketIT {
    static final BlockingQueue<String> upstreamSaw = new LinkedBlockingQueue<>();
    static LoopbackUpstream echo;
    static GatewayFixture gw;
    static WebSocketCoreClient client;

    @BeforeAll
    static void start() throws Exception {
        WebSocketComponents components = new WebSocketComponents();
        Handshaker handshaker = Handshaker.newInstance();
        echo = LoopbackUpstream.start(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                upstreamSaw.add("upgrade " + request.getHttpURI().getPathQuery() + " x-user=" + request.getHeaders().get("X-User"));
                WebSocketNegotiator negotiator = new WebSocketNegotiator.AbstractNegotiator() {
                    @Override
                    public FrameHandler negotiate(ServerUpgradeRequest req, ServerUpgradeResponse resp, Callback cb) {
                        if (req.hasSubProtocol("chat.v2")) resp.setAcceptedSubProtocol("chat.v2");
                        return new Echo();
                    }
                };
                return handshaker.upgradeRequest(negotiator, request, response, callback, components, null);
            }
        });
        gw = GatewayFixture.start("""
                apis:
                  - {api_id: ws, listen_path: /ws, target_url: "http://127.0.0.1:%1$d/base", auth: none}
                  - {api_id: ws-keyed, listen_path: /ws-keyed, target_url: "http://127.0.0.1:%1$d", auth: key}
                """.formatted(echo.port()));
        client = new WebSocketCoreClient();
        client.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) client.stop();
        if (gw != null) gw.close();
        if (echo != null) echo.close();
    }

    /** A frame handler that reads its first frame as soon as it is open and ignores errors. */
    abstract static class Reading implements FrameHandler {
        CoreSession session;

        @Override public void onOpen(CoreSession s, Callback callback) {
            session = s;
            callback.succeeded();
            s.demand();
        }

        @Override public void onError(Throwable cause, Callback callback) { callback.succeeded(); }
    }

    /** The upstream: sends every data frame back, and records the close it gets. */
    static final class Echo extends Reading {
        @Override public void onFrame(Frame frame, Callback callback) {
            if (frame.getOpCode() == OpCode.CLOSE) {
                upstreamSaw.add("close " + new CloseStatus(frame).getCode());
                callback.succeeded();
                return;
            }
            if (!frame.isDataFrame()) {
                callback.succeeded();
                session.demand();
                return;
            }
            ByteBuffer copy = ByteBuffer.allocate(frame.getPayloadLength()).put(frame.getPayload().slice()).flip();
            session.sendFrame(new Frame(frame.getOpCode(), frame.isFin(), copy), Callback.from(() -> {
                callback.succeeded();
                session.demand();
            }, callback::failed), false);
        }

        @Override public void onClosed(CloseStatus closeStatus, Callback callback) { callback.succeeded(); }
    }

    /** The test's client: queues what it receives. */
    static final class Recorder extends Reading {
        final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        final CompletableFuture<CloseStatus> closed = new CompletableFuture<>();

        @Override public void onFrame(Frame frame, Callback callback) {
            if (frame.isDataFrame()) frames.add(Frame.copy(frame));
            callback.succeeded();
            if (frame.getOpCode() != OpCode.CLOSE) session.demand();
        }

        @Override public void onClosed(CloseStatus closeStatus, Callback callback) {
            closed.complete(closeStatus);
            callback.succeeded();
        }
    }

    static CoreSession connect(String path, Recorder recorder, List<String> subProtocols, String... headers) throws Exception {
        CoreClientUpgradeRequest upgrade = CoreClientUpgradeRequest.from(client, URI.create("ws://127.0.0.1:" + gw.gateway().port() + path), recorder);
        upgrade.setSubProtocols(subProtocols);
        upgrade.headers(h -> {
            for (int i = 0; i < headers.length; i += 2) h.put(headers[i], headers[i + 1]);
        });
        return client.connect(upgrade).get(10, TimeUnit.SECONDS);
    }

    static Frame next(Recorder r) throws InterruptedException {
        Frame f = r.frames.poll(10, TimeUnit.SECONDS);
        assertThat(f).as("a frame came back").isNotNull();
        return f;
    }

    static void send(CoreSession s, Frame frame) throws Exception {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        s.sendFrame(frame, Callback.from(() -> sent.complete(null), sent::completeExceptionally), false);
        sent.get(10, TimeUnit.SECONDS);
    }

    @Test
    void textAndBinaryFramesGoBothWaysAndTheCloseHandshakePassesWithItsCode() throws Exception {
        upstreamSaw.clear();
        Recorder recorder = new Recorder();
        CoreSession session = connect("/ws/room?id=7", recorder, List.of("chat.v1", "chat.v2"));
        assertThat(upstreamSaw.poll(5, TimeUnit.SECONDS)).isEqualTo("upgrade /base/room?id=7 x-user=null");
        assertThat(session.getNegotiatedSubProtocol()).as("the upstream's choice").isEqualTo("chat.v2");

        send(session, new Frame(OpCode.TEXT, "hello through the gateway"));
        Frame text = next(recorder);
        assertThat(text.getOpCode()).isEqualTo(OpCode.TEXT);
        assertThat(text.getPayloadAsUTF8()).isEqualTo("hello through the gateway");

        byte[] bytes = new byte[70_000]; // longer than one 64 KiB read
        for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) i;
        send(session, new Frame(OpCode.BINARY, ByteBuffer.wrap(bytes)));
        Frame binary = next(recorder);
        assertThat(binary.getOpCode()).isEqualTo(OpCode.BINARY);
        java.io.ByteArrayOutputStream back = new java.io.ByteArrayOutputStream();
        Frame part = binary;
        while (true) { // a long frame may come back in fragments
            byte[] chunk = new byte[part.getPayloadLength()];
            part.getPayload().slice().get(chunk);
            back.writeBytes(chunk);
            if (part.isFin()) break;
            part = next(recorder);
            assertThat(part.getOpCode()).isEqualTo(OpCode.CONTINUATION);
        }
        assertThat(back.toByteArray()).isEqualTo(bytes);

        // a message in two fragments arrives as two fragments
        send(session, new Frame(OpCode.TEXT, false, "first half, "));
        send(session, new Frame(OpCode.CONTINUATION, true, "second half"));
        assertThat(next(recorder).getPayloadAsUTF8()).isEqualTo("first half, ");
        Frame last = next(recorder);
        assertThat(last.getOpCode()).isEqualTo(OpCode.CONTINUATION);
        assertThat(last.isFin()).isTrue();

        session.close(CloseStatus.NORMAL, "bye", Callback.NOOP);
        assertThat(recorder.closed.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(CloseStatus.NORMAL);
        assertThat(upstreamSaw.poll(5, TimeUnit.SECONDS)).as("the upstream got the close").isEqualTo("close 1000");
    }

    @Test
    void theUpgradeRequestIsAuthenticatedLikeAnyOther() throws Exception {
        upstreamSaw.clear();
        assertThat(gw.admin("POST", "/keys/ws-key", "{\"access_rights\": {\"ws-keyed\": {}}}").statusCode()).isEqualTo(201);
        try (java.net.Socket raw = new java.net.Socket("127.0.0.1", gw.gateway().port())) {
            raw.setSoTimeout(10_000);
            raw.getOutputStream().write(("GET /ws-keyed/x HTTP/1.1\r\nHost: gw\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(raw.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(answer).as("no key: the upgrade is refused").isEqualTo("HTTP/1.1 401");
        }
        assertThat(upstreamSaw).as("the upstream saw nothing").isEmpty();

        Recorder recorder = new Recorder();
        CoreSession session = connect("/ws-keyed/x", recorder, List.of(), "Authorization", "ws-key");
        send(session, new Frame(OpCode.TEXT, "with a key"));
        assertThat(next(recorder).getPayloadAsUTF8()).isEqualTo("with a key");
        session.close(CloseStatus.NORMAL, null, Callback.NOOP);
        recorder.closed.get(10, TimeUnit.SECONDS);
        // the upstream's side of the close is recorded after the client's: wait for it, so that it
        // does not land in the next test's record
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!upstreamSaw.contains("close 1000")) {
            assertThat(System.nanoTime()).as("the upstream got the close").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
