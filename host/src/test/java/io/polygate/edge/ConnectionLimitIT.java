package io.polygate.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.RawClient;
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
                    assertThat(c.readResponse(10_000)).as("connection %d", i).startsWith("HTTP/1.1 200").endsWith("ok");
                }
                try (RawClient fourth = new RawClient(port)) {
                    fourth.send("GET /open/fourth HTTP/1.1\r\nHost: gw\r\n\r\n");
                    assertThat(fourth.readResponse(1_500)).as("the fourth connection, with three open").isEmpty();

                    var metrics = open.gw.admin("GET", "/metrics", null);
                    assertThat(metrics.statusCode()).as("the admin port is not counted").isEqualTo(200);
                    assertThat(metrics.body()).containsPattern("polygate_client_connection_limit_reached_total [1-9]");

                    held.removeFirst().close();
                    assertThat(fourth.readResponse(10_000)).as("the fourth connection, once one closed")
                            .startsWith("HTTP/1.1 200").endsWith("ok");
                }
            } finally {
                for (RawClient c : held) c.close();
            }
        }
    }
}
