package io.polygate.proxy;

import io.polygate.chain.Exchange;
import io.polygate.observability.JsonErrors;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpGenerator;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.ClientConnectionFactory;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.Transport;
import org.eclipse.jetty.io.ssl.SslClientConnectionFactory;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.component.ContainerLifeCycle;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP/1.1 {@code Upgrade} to a protocol other than WebSocket (which {@link WebSocketBridge}
 * relays frame by frame) and h2c: the request, once through its API's chain, is sent to the
 * upstream on a connection of its own; when the upstream answers 101, the client gets that 101
 * with the upstream's headers and from then on the two connections are joined byte for byte, each
 * direction read only as fast as the other side takes it; one side's end of stream is passed on
 * to the other, and either side failing closes both. Any other answer, or no answer, gives the
 * client a 502 JSON error naming why; nothing of a refused upgrade is relayed.
 */
final class UpgradeTunnel extends ContainerLifeCycle {
    private static final Logger LOG = LoggerFactory.getLogger(UpgradeTunnel.class);
    /** The most an upstream's answer to the upgrade request may hold before its blank line. */
    static final int MAX_RESPONSE_HEAD = 16 * 1024;
    private static final int BUFFER = 16 * 1024;
    private static final EnumSet<HttpHeader> NOT_FORWARDED = EnumSet.of(HttpHeader.CONNECTION, HttpHeader.UPGRADE, HttpHeader.HOST,
            HttpHeader.KEEP_ALIVE, HttpHeader.TE, HttpHeader.TRANSFER_ENCODING, HttpHeader.PROXY_AUTHORIZATION,
            HttpHeader.PROXY_CONNECTION, HttpHeader.CONTENT_LENGTH);

    private final ClientConnector connector = new ClientConnector();

    UpgradeTunnel(Server server, Duration connectTimeout) {
        connector.setExecutor(server.getThreadPool());
        connector.setScheduler(server.getScheduler());
        connector.setConnectTimeout(connectTimeout);
        addBean(connector);
    }

    /**
     * Whether {@code request} asks to switch to a protocol this tunnel carries: HTTP/1.1,
     * {@code Connection: upgrade}, an {@code Upgrade} that is not WebSocket or h2c, and no body.
     */
    static boolean isUpgrade(Request request) {
        HttpFields headers = request.getHeaders();
        String protocol = headers.get(HttpHeader.UPGRADE); // most requests stop here
        if (protocol == null || protocol.isBlank() || !headers.contains(HttpHeader.CONNECTION, HttpHeaderValue.UPGRADE.asString())) return false;
        if (request.getConnectionMetaData().getHttpVersion() != HttpVersion.HTTP_1_1) return false;
        String p = protocol.trim().toLowerCase(Locale.ROOT);
        if (p.startsWith("websocket") || p.startsWith("h2c")) return false;
        return request.getLength() <= 0 && !headers.contains(HttpHeader.TRANSFER_ENCODING);
    }

    /**
     * Sends the upgrade request to {@code upstream} (path and query included) and, when it answers
     * 101, switches the client too.
     *
     * @param tls the TLS settings for an {@code https} upstream
     */
    void forward(Exchange exchange, URI upstream, HttpField host, SslContextFactory.Client tls, Response response, Callback callback) {
        Request request = exchange.clientRequest();
        boolean https = "https".equalsIgnoreCase(upstream.getScheme());
        int port = HttpClient.normalizePort(upstream.getScheme(), upstream.getPort());
        Switch attempt = new Switch(exchange, upstream, response, callback);
        ByteBuffer head = requestHead(exchange, upstream, host);
        ClientConnectionFactory factory = (endPoint, context) -> new Handshake(endPoint, attempt, head);
        // the TLS engine takes the peer's name (SNI, host name check) from the address
        InetSocketAddress address = new InetSocketAddress(upstream.getHost(), port);
        if (https) factory = new SslClientConnectionFactory(tls, connector.getByteBufferPool(), connector.getExecutor(), factory);
        Map<String, Object> context = new HashMap<>();
        context.put(ClientConnector.REMOTE_SOCKET_ADDRESS_CONTEXT_KEY, address);
        context.put(Transport.CONTEXT_KEY, Transport.TCP_IP);
        context.put(ClientConnectionFactory.CONTEXT_KEY, factory);
        context.put(ClientConnector.CONNECTION_PROMISE_CONTEXT_KEY, Promise.from(c -> {}, attempt::refused));
        LOG.debug("api={} upgrade to {} via {}", exchange.apiId(), request.getHeaders().get(HttpHeader.UPGRADE), upstream);
        connector.connect(address, context);
    }

    /**
     * The upgrade request as the upstream gets it: the client's headers less hop-by-hop ones, the
     * upgrade asked again; written by Jetty's {@link HttpGenerator#putTo(HttpField, ByteBuffer)},
     * which sanitises names and values as for every proxied request.
     */
    private static ByteBuffer requestHead(Exchange exchange, URI upstream, HttpField host) {
        Request request = exchange.clientRequest();
        HttpFields.Mutable fields = HttpFields.build();
        fields.add(host);
        for (HttpField f : exchange.headers()) {
            if (f.getHeader() == null || !NOT_FORWARDED.contains(f.getHeader())) fields.add(f);
        }
        fields.put(HttpHeader.X_FORWARDED_FOR,
                UpstreamHandler.forwardedFor(exchange.headers().get(HttpHeader.X_FORWARDED_FOR), Request.getRemoteAddr(request)));
        fields.add(HttpHeader.CONNECTION, HttpHeaderValue.UPGRADE.asString());
        fields.add(HttpHeader.UPGRADE, request.getHeaders().get(HttpHeader.UPGRADE).trim());
        String path = upstream.getRawPath() == null || upstream.getRawPath().isEmpty() ? "/" : upstream.getRawPath();
        String line = exchange.method() + " " + path + (upstream.getRawQuery() == null ? "" : "?" + upstream.getRawQuery()) + " HTTP/1.1\r\n";
        int size = line.length() + 2;
        for (HttpField f : fields) size += f.getName().length() + f.getValue().length() + 4;
        ByteBuffer head = BufferUtil.allocate(size);
        int pos = BufferUtil.flipToFill(head);
        head.put(line.getBytes(StandardCharsets.ISO_8859_1));
        for (HttpField f : fields) HttpGenerator.putTo(f, head);
        head.put((byte) '\r').put((byte) '\n');
        BufferUtil.flipToFlush(head, pos);
        return head;
    }

    /** One upgrade request's answer to the client: a 101 and the joined connections, or a 502. */
    private static final class Switch {
        final Exchange exchange;
        final URI upstream;
        final Response response;
        final Callback callback;
        final AtomicBoolean answered = new AtomicBoolean();

        Switch(Exchange exchange, URI upstream, Response response, Callback callback) {
            this.exchange = exchange;
            this.upstream = upstream;
            this.response = response;
            this.callback = callback;
        }

        /** The upstream switched: the client gets its 101, then both connections are joined. */
        void switched(EndPoint upstreamEnd, HttpFields upstreamHeaders) {
            if (!answered.compareAndSet(false, true)) return;
            Request request = exchange.clientRequest();
            EndPoint client = request.getConnectionMetaData().getConnection().getEndPoint();
            Tunnel toClient = new Tunnel(upstreamEnd, client, null);
            // the upstream's side starts once the client has its 101: its bytes must come after it
            Tunnel toUpstream = new Tunnel(client, upstreamEnd, () -> upstreamEnd.upgrade(toClient));
            response.setStatus(HttpStatus.SWITCHING_PROTOCOLS_101);
            for (HttpField f : upstreamHeaders) {
                if (f.getHeader() == HttpHeader.CONTENT_LENGTH || f.getHeader() == HttpHeader.TRANSFER_ENCODING) continue;
                response.getHeaders().add(f);
            }
            request.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, toUpstream);
            LOG.debug("api={} upgraded to {} via {}", exchange.apiId(), upstreamHeaders.get(HttpHeader.UPGRADE), upstream);
            callback.succeeded();
        }

        /** The upstream could not be reached or did not switch: the client gets a 502 naming why. */
        void refused(Throwable why) {
            if (!answered.compareAndSet(false, true)) return;
            String reason = why.getMessage() == null ? why.toString() : why.getMessage();
            LOG.warn("api={} upgrade upstream={} refused: {}", exchange.apiId(), upstream, reason);
            JsonErrors.write(response, callback, 502, "upstream refused the upgrade: " + reason);
        }
    }

    /**
     * The upstream connection until its answer to the upgrade request: writes the request, reads
     * and parses the answer's head, then hands over to {@link Switch}.
     */
    private static final class Handshake extends AbstractConnection implements Connection.UpgradeFrom, HttpParser.ResponseHandler {
        private final Switch attempt;
        private final ByteBuffer requestHead;
        private final HttpParser parser = new HttpParser(this);
        private final ByteBuffer input = BufferUtil.allocate(MAX_RESPONSE_HEAD);
        private final HttpFields.Mutable responseHeaders = HttpFields.build();
        private int status;
        private boolean headComplete;

        Handshake(EndPoint endPoint, Switch attempt, ByteBuffer requestHead) {
            super(endPoint, Runnable::run);
            this.attempt = attempt;
            this.requestHead = requestHead;
        }

        /** This connection is closed and the client answered 502. */
        private void refuse(Throwable why) {
            getEndPoint().close();
            attempt.refused(why);
        }

        @Override
        public void onOpen() {
            super.onOpen();
            getEndPoint().write(Callback.from(this::fillInterested, this::refuse), requestHead);
        }

        @Override
        public void onFillable() {
            try {
                while (!headComplete) {
                    if (BufferUtil.space(input) == 0) {
                        refuse(new IllegalStateException("its answer's head is over " + MAX_RESPONSE_HEAD + " bytes"));
                        return;
                    }
                    int n = getEndPoint().fill(input); // appends to what is there (the buffer stays in flush mode)
                    if (n < 0) {
                        refuse(new IllegalStateException("it closed the connection before answering"));
                        return;
                    }
                    parser.parseNext(input);
                    if (!headComplete && n == 0) {
                        fillInterested();
                        return;
                    }
                }
                if (status != HttpStatus.SWITCHING_PROTOCOLS_101) refuse(new IllegalStateException("it answered " + status + " instead of 101"));
                else attempt.switched(getEndPoint(), responseHeaders);
            } catch (Throwable x) {
                refuse(x);
            }
        }

        /** The upstream's bytes read after its 101: the first the client gets through the tunnel. */
        @Override
        public ByteBuffer onUpgradeFrom() {
            return input.hasRemaining() ? BufferUtil.copy(input) : null;
        }

        @Override public void startResponse(HttpVersion version, int status, String reason) { this.status = status; }

        @Override public void parsedHeader(HttpField field) { responseHeaders.add(field); }

        @Override
        public boolean headerComplete() {
            headComplete = true;
            return true;
        }

        @Override public boolean content(ByteBuffer item) { return false; }

        @Override public boolean contentComplete() { return false; }

        @Override public boolean messageComplete() { return true; }

        @Override public void earlyEOF() { refuse(new IllegalStateException("it closed the connection while answering")); }

        @Override
        public void badMessage(HttpException failure) {
            refuse(new IllegalStateException("its answer is no HTTP: " + failure.getReason()));
        }
    }

    /**
     * One direction of a joined connection: reads what its endpoint receives and writes it to the
     * other, reading again once that write completed.
     */
    private static final class Tunnel extends AbstractConnection implements Connection.UpgradeTo {
        private final EndPoint to;
        private final ByteBuffer buffer = BufferUtil.allocateDirect(BUFFER);
        private final Runnable onOpened;
        private ByteBuffer prefilled;

        /** @param onOpened run when this direction opens, before it reads; may be null */
        Tunnel(EndPoint from, EndPoint to, Runnable onOpened) {
            super(from, Runnable::run);
            this.to = to;
            this.onOpened = onOpened;
        }

        @Override
        public void onUpgradeTo(ByteBuffer bytes) {
            if (BufferUtil.hasContent(bytes)) prefilled = BufferUtil.copy(bytes);
        }

        @Override
        public void onOpen() {
            super.onOpen();
            if (onOpened != null) onOpened.run();
            if (prefilled != null) to.write(Callback.from(this::fillInterested, this::fail), prefilled);
            else fillInterested();
        }

        @Override
        public void onFillable() {
            try {
                BufferUtil.clear(buffer);
                int n = getEndPoint().fill(buffer);
                if (n > 0) to.write(Callback.from(this::fillInterested, this::fail), buffer);
                else if (n == 0) fillInterested();
                else {
                    // end of stream: passed on; once both directions ended, both connections close
                    to.shutdownOutput();
                    if (getEndPoint().isOutputShutdown()) {
                        getEndPoint().close();
                        to.close();
                    }
                }
            } catch (Throwable x) {
                fail(x);
            }
        }

        private void fail(Throwable x) {
            LOG.debug("upgrade tunnel closed: {}", x.toString());
            getEndPoint().close(x);
            to.close(x);
        }

        @Override
        public boolean onIdleExpired(TimeoutException timeout) {
            to.close();
            return true;
        }
    }
}
