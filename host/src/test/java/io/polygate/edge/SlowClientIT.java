package io.polygate.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.GatewayFixture;
import io.polygate.testing.RawClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slow clients on a gateway with {@code client_header_timeout: 2s} and
 * {@code min_request_data_rate: 100}: a client sending its request head one byte a second
 * (slowloris), on a new connection or a kept-alive one, is closed once the head has taken 2 s,
 * and one trickling its body a byte a second gets a 408; meanwhile eight clients doing ordinary
 * GETs get only 200s, and a slow client that stays within both limits is served.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SlowClientIT {
    static final long HEADER_TIMEOUT_MS = 2_000;
    /** The deadline plus one sweep, with room for a loaded machine. */
    static final long CLOSED_WITHIN_MS = HEADER_TIMEOUT_MS + 6_000;
    static OpenApiGateway open;
    static GatewayFixture gw;

    @BeforeAll
    static void start() throws Exception {
        open = OpenApiGateway.start("proxy: {client_header_timeout: 2s, min_request_data_rate: 100}", (request, body) -> "ok " + body.length());
        gw = open.gw;
    }

    @AfterAll
    static void stop() throws Exception {
        if (open != null) open.close();
    }

    @Test
    void aSlowlorisHeadIsClosedAfterTheHeaderTimeoutWhileOthersGet200() throws Exception {
        try (OrdinaryClients others = new OrdinaryClients(8); RawSocket slowloris = new RawSocket()) {
            long start = System.nanoTime();
            slowloris.trickle("GET /open/slow HTTP/1.1\r\nHost: gw\r\nX-Padding: " + "a".repeat(100) + "\r\n\r\n", 1_000);
            Received r = slowloris.readUntilClosed(CLOSED_WITHIN_MS);
            long tookMs = (System.nanoTime() - start) / 1_000_000;

            assertThat(r.closed).as("closed within %d ms, after %d ms", CLOSED_WITHIN_MS, tookMs).isTrue();
            assertThat(r.text).as("no answer to a head that never completed").isEmpty();
            assertThat(tookMs).as("not closed before the header timeout").isGreaterThanOrEqualTo(HEADER_TIMEOUT_MS - 100);
            others.assertOnly200s();
        }
        assertThat(gw.get("/open/after").statusCode()).isEqualTo(200);
        assertThat(metrics()).containsPattern("polygate_client_timeouts_total\\{reason=\"header\"\\} [1-9]");
    }

    @Test
    void aSlowHeadOnAKeptAliveConnectionIsClosedToo() throws Exception {
        try (RawSocket client = new RawSocket()) {
            client.send("GET /open/first HTTP/1.1\r\nHost: gw\r\n\r\n");
            assertThat(client.readResponse()).startsWith("HTTP/1.1 200");
            long start = System.nanoTime();
            client.trickle("GET /open/second HTTP/1.1\r\nHost: gw\r\nX-Padding: " + "a".repeat(100) + "\r\n\r\n", 1_000);
            Received r = client.readUntilClosed(CLOSED_WITHIN_MS);
            long tookMs = (System.nanoTime() - start) / 1_000_000;

            assertThat(r.closed).as("closed within %d ms, after %d ms", CLOSED_WITHIN_MS, tookMs).isTrue();
            assertThat(tookMs).isGreaterThanOrEqualTo(HEADER_TIMEOUT_MS - 100);
        }
    }

    @Test
    void aBodyTrickledAtAByteASecondGets408WhileOthersGet200() throws Exception {
        try (OrdinaryClients others = new OrdinaryClients(8); RawSocket trickler = new RawSocket()) {
            trickler.send("POST /open/upload HTTP/1.1\r\nHost: gw\r\nContent-Length: 200\r\n\r\n");
            trickler.trickle("b".repeat(200), 1_000);
            Received r = trickler.readUntilClosed(CLOSED_WITHIN_MS);

            assertThat(r.closed).as("answered and closed within %d ms: %s", CLOSED_WITHIN_MS, r.text).isTrue();
            assertThat(r.text).startsWith("HTTP/1.1 408 ").contains("Connection: close")
                    .contains("under the minimum of 100 bytes/s (proxy.min_request_data_rate)");
            others.assertOnly200s();
        }
        assertThat(metrics()).containsPattern("polygate_client_timeouts_total\\{reason=\"body\"\\} [1-9]");
    }

    @Test
    void aSlowClientWithinBothLimitsIsServed() throws Exception {
        try (RawSocket client = new RawSocket()) {
            // the head in five pieces over a second, then 1000 bytes at about 400 bytes/s, past the 2 s grace
            String head = "POST /open/slow-but-fine HTTP/1.1\r\nHost: gw\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n";
            int piece = head.length() / 5 + 1;
            for (int i = 0; i < head.length(); i += piece) {
                client.send(head.substring(i, Math.min(head.length(), i + piece)));
                Thread.sleep(200);
            }
            for (int i = 0; i < 10; i++) {
                client.send("c".repeat(100));
                Thread.sleep(250);
            }
            Received r = client.readUntilClosed(10_000);
            assertThat(r.text).startsWith("HTTP/1.1 200 ").endsWith("ok 1000");
        }
    }

    private static String metrics() throws Exception {
        return gw.admin("GET", "/metrics", null).body();
    }

    /** Clients doing ordinary GETs in a loop until closed; each must have been answered, always 200. */
    static final class OrdinaryClients implements AutoCloseable {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        private final ExecutorService threads;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<Future<List<Integer>>> results = new ArrayList<>();

        OrdinaryClients(int n) {
            threads = Executors.newFixedThreadPool(n);
            for (int i = 0; i < n; i++) {
                String path = "/open/ordinary-" + i;
                results.add(threads.submit(() -> {
                    List<Integer> statuses = new ArrayList<>();
                    while (!stop.get()) {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(gw.url(path)).timeout(Duration.ofSeconds(5)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        statuses.add(r.statusCode());
                        Thread.sleep(20);
                    }
                    return statuses;
                }));
            }
        }

        void assertOnly200s() throws Exception {
            stop.set(true);
            for (Future<List<Integer>> f : results) {
                List<Integer> statuses = f.get(20, TimeUnit.SECONDS);
                assertThat(statuses).as("an ordinary client's answers").isNotEmpty().containsOnly(200);
            }
        }

        @Override
        public void close() {
            stop.set(true);
            threads.shutdownNow();
            http.close();
        }
    }

    record Received(String text, boolean closed) {}

    /** A {@link RawClient} that may also send slowly, on a thread of its own, while the test reads. */
    static final class RawSocket implements AutoCloseable {
        private final RawClient client = new RawClient(gw.gateway().port());
        private final Socket socket = client.socket;
        private final ExecutorService writer = Executors.newSingleThreadExecutor();

        RawSocket() throws IOException {}

        void send(String text) throws IOException {
            client.send(text);
        }

        /** Sends {@code text} one byte every {@code everyMillis}, until done or the gateway closes the connection. */
        void trickle(String text, long everyMillis) {
            writer.execute(() -> {
                try {
                    for (int i = 0; i < text.length(); i++) {
                        send(text.substring(i, i + 1));
                        Thread.sleep(everyMillis);
                    }
                } catch (IOException | InterruptedException closed) {
                    // the gateway closed the connection, or the test is over
                }
            });
        }

        /** One response, head and body; {@code ""} when none came within 10 s. */
        String readResponse() throws IOException {
            return client.readResponse(10_000);
        }

        /** What the gateway sends until it closes the connection, or until {@code withinMillis} pass (then not closed). */
        Received readUntilClosed(long withinMillis) throws IOException {
            long deadline = System.nanoTime() + withinMillis * 1_000_000;
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) return new Received(all.toString(StandardCharsets.ISO_8859_1), false);
                socket.setSoTimeout((int) left);
                try {
                    int n = in.read(buf);
                    if (n < 0) return new Received(all.toString(StandardCharsets.ISO_8859_1), true);
                    all.write(buf, 0, n);
                } catch (SocketTimeoutException e) {
                    return new Received(all.toString(StandardCharsets.ISO_8859_1), false);
                } catch (SocketException reset) {
                    return new Received(all.toString(StandardCharsets.ISO_8859_1), true);
                }
            }
        }

        @Override
        public void close() throws IOException {
            writer.shutdownNow();
            client.close();
        }
    }
}
