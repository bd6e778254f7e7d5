package io.polygate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polygate.testing.GatewayProcess;
import io.polygate.testing.LoopbackUpstream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bodies stream through the proxy: a 200 MB upload and a 200 MB download pass byte-exact through
 * a gateway process whose heap is capped at 64 MB, and a client that goes away aborts the
 * upstream exchange. The gateway runs as its own process so that its heap is its own.
 */
class LargeBodyIT {
    static final long SIZE = 200L * 1024 * 1024;
    static final ObjectMapper JSON = new ObjectMapper();
    static LoopbackUpstream upstream;
    static GatewayProcess gateway;
    static int port;
    static final CountDownLatch slowDownloadFailed = new CountDownLatch(1);
    static final AtomicReference<Throwable> slowDownloadFailure = new AtomicReference<>();

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        upstream = LoopbackUpstream.start(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String path = request.getHttpURI().getPath();
                if (path.endsWith("/upload")) {
                    MessageDigest md = MessageDigest.getInstance("SHA-256");
                    long n = 0;
                    try (InputStream in = Content.Source.asInputStream(request)) {
                        byte[] buf = new byte[64 * 1024];
                        int r;
                        while ((r = in.read(buf)) > 0) {
                            md.update(buf, 0, r);
                            n += r;
                        }
                    }
                    String body = "{\"bytes\":" + n + ",\"sha256\":\"" + HexFormat.of().formatHex(md.digest()) + "\"}";
                    response.getHeaders().put("Content-Type", "application/json");
                    Content.Sink.write(response, true, body, callback);
                } else if (path.endsWith("/download")) {
                    Fields q = Request.extractQueryParameters(request);
                    long size = Long.parseLong(q.getValue("bytes"));
                    response.getHeaders().put("Content-Length", size);
                    Pattern gen = new Pattern();
                    ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                    for (long sent = 0; sent < size; ) {
                        chunk.clear();
                        int len = (int) Math.min(chunk.capacity(), size - sent);
                        gen.fill(chunk.array(), len);
                        chunk.limit(len);
                        sent += len;
                        try (Blocker.Callback b = Blocker.callback()) {
                            response.write(sent == size, chunk, b);
                            b.block();
                        }
                    }
                    callback.succeeded();
                } else if (path.endsWith("/slow")) {
                    try {
                        for (int i = 0; i < 400; i++) {
                            try (Blocker.Callback b = Blocker.callback()) {
                                response.write(false, ByteBuffer.wrap(new byte[1024]), b);
                                b.block();
                            }
                            Thread.sleep(50);
                        }
                        callback.succeeded();
                    } catch (IOException e) {
                        slowDownloadFailure.set(e);
                        slowDownloadFailed.countDown();
                        callback.failed(e);
                    }
                } else {
                    Response.writeError(request, response, callback, 404);
                }
                return true;
            }
        });
        gateway = GatewayProcess.start(dir, """
                proxy: {upstream_timeout: 30s}
                apis:
                  - {api_id: big, listen_path: /big, target_url: "http://127.0.0.1:%d", auth: none}
                """.formatted(upstream.port()), "-Xmx64m");
        gateway.awaitStarted(Duration.ofSeconds(30));
        port = gateway.port();
    }

    static JsonNode health() throws IOException, InterruptedException {
        return JSON.readTree(gateway.admin("GET", "/health", null).body());
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) gateway.close();
        if (upstream != null) upstream.close();
    }

    @Test
    void twoHundredMegabytesPassBothWaysByteExactWithASmallHeap() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        HttpResponse<String> up = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/big/upload"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(SIZE, sent)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(up.statusCode()).isEqualTo(200);
        JsonNode upJson = JSON.readTree(up.body());
        assertThat(upJson.get("bytes").asLong()).isEqualTo(SIZE);
        assertThat(upJson.get("sha256").asText()).isEqualTo(HexFormat.of().formatHex(sent.digest()));

        HttpResponse<InputStream> down = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/big/download?bytes=" + SIZE)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(down.statusCode()).isEqualTo(200);
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        long n = 0;
        try (InputStream in = down.body()) {
            byte[] buf = new byte[64 * 1024];
            int r;
            while ((r = in.read(buf)) > 0) {
                got.update(buf, 0, r);
                n += r;
            }
        }
        Pattern gen = new Pattern();
        byte[] buf = new byte[64 * 1024];
        for (long done = 0; done < SIZE; ) {
            int len = (int) Math.min(buf.length, SIZE - done);
            gen.fill(buf, len);
            expected.update(buf, 0, len);
            done += len;
        }
        assertThat(n).isEqualTo(SIZE);
        assertThat(HexFormat.of().formatHex(got.digest())).isEqualTo(HexFormat.of().formatHex(expected.digest()));

        // 200 MB each way through a heap capped at 64 MB: a body buffered whole would not fit. (Peak
        // heap use says nothing more: G1 lets garbage fill most of a small heap before collecting.)
        assertThat(health().get("jvm").get("heap_max_bytes").asLong()).isLessThanOrEqualTo(64L * 1024 * 1024);
    }

    @Test
    void aClientThatGoesAwayAbortsTheUpstreamExchange() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write("GET /big/slow HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            assertThat(in.read(new byte[512])).isPositive();
        }
        // the upstream would stream for 20 s; it sees its connection closed well before that
        assertThat(slowDownloadFailed.await(10, TimeUnit.SECONDS)).as("upstream write failed after client left").isTrue();
    }

    /** Deterministic pseudo-random bytes (xorshift), the same sequence on both sides. */
    static final class Pattern {
        long x = 0x9E3779B97F4A7C15L;

        void fill(byte[] b, int len) {
            for (int i = 0; i < len; i++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                b[i] = (byte) x;
            }
        }
    }

    /** {@code size} pattern bytes as a stream, digesting what it hands out. */
    static final class PatternStream extends InputStream {
        private final Pattern gen = new Pattern();
        private final MessageDigest digest;
        private long left;

        PatternStream(long size, MessageDigest digest) {
            this.left = size;
            this.digest = digest;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) return -1;
            int n = (int) Math.min(len, left);
            byte[] tmp = new byte[n];
            gen.fill(tmp, n);
            System.arraycopy(tmp, 0, b, off, n);
            digest.update(tmp, 0, n);
            left -= n;
            return n;
        }

        @Override
        public void close() { }
    }

}
