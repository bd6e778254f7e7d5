package io.polygate.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code proxy.max_client_connections: 3}: with three client connections open, a fourth is not
 * served (it waits in the accept backlog) while the admin port still answers and counts the limit
 * reached; once one of the three closes, the fourth gets its answer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionLimitIT {

    @Test
    void pastTheLimitANewConnectionWaitsUntilAnotherCloses() throws Exception {
        try (OpenApiGateway open = OpenApiGateway.start("proxy: {max_client_connections: 3}", (request, body) -> "ok")) {
            int port = open.gw.gateway().port();
            List<RawClient> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    RawClient c = new RawClient(port);
                    held.add(c);
                    c.send("GET /open/held HTTP/1.1\r\nHost: gw\r\n\r\n");
                    assertThat(readAnswer(c, 10_000)).as("connection %d", i).startsWith("HTTP/1.1 200").endsWith("ok");
                }
                try (RawClient fourth = new RawClient(port)) {
                    fourth.send("GET /open/fourth HTTP/1.1\r\nHost: gw\r\n\r\n");
                    assertThat(readAnswer(fourth, 1_500)).as("the fourth connection, with three open").isEmpty();

                    var metrics = open.gw.admin("GET", "/metrics", null);
                    assertThat(metrics.statusCode()).as("the admin port is not counted").isEqualTo(200);
                    assertThat(metrics.body()).containsPattern("polygate_client_connection_limit_reached_total [1-9]");

                    held.removeFirst().close();
                    assertThat(readAnswer(fourth, 10_000)).as("the fourth connection, once one closed")
                            .startsWith("HTTP/1.1 200").endsWith("ok");
                }
            } finally {
                for (RawClient c : held) c.close();
            }
        }
    }

    /** What the gateway sent within {@code millis} until a whole answer whose body is "ok" arrived; empty if nothing came. */
    private static String readAnswer(RawClient client, int millis) throws IOException {
        client.socket.setSoTimeout(millis);
        InputStream in = client.socket.getInputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            while (!got.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\nok")) {
                int n = in.read(buf);
                if (n < 0) break;
                got.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            // nothing more within the time given: the caller looks at what came
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }
}
