package io.polygate.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.OperatingSystemMXBean;
import io.polygate.testing.GatewayFixture;
import io.polygate.testing.RawClient;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bytes that arrive on a keep-alive connection after the gateway found it empty are still read: the
 * gateway skips reads of a socket it saw drained until the selector reports it again, so a request
 * sent while the previous one is at the upstream, and a body sent in pieces, must each wake it.
 */
class KeepAliveReadsIT {
    static OpenApiGateway open;
    static GatewayFixture gw;

    @BeforeAll
    static void start() throws Exception {
        open = OpenApiGateway.start("", (request, body) -> {
            if (request.getHttpURI().getPath().equals("/slow")) sleep(300);
            if (request.getHttpURI().getPath().equals("/slower")) sleep(1_500);
            return request.getHttpURI().getPath() + " " + body;
        });
        gw = open.gw;
    }

    @AfterAll
    static void stop() throws Exception {
        if (open != null) open.close();
    }

    @Test
    void aRequestSentWhileThePreviousIsAtTheUpstreamIsAnsweredAfterIt() throws Exception {
        String answer;
        try (RawClient client = new RawClient(gw.gateway().port())) {
            client.send("GET /open/slow HTTP/1.1\r\nHost: gw\r\n\r\n");
            sleep(100); // the gateway has read the first request and found the socket empty
            client.send("GET /open/next HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
            answer = client.readUntilClosed();
        }
        assertThat(answer).containsSubsequence("HTTP/1.1 200 ", "/slow ", "HTTP/1.1 200 ", "/next ");
    }

    /**
     * The gateway keeps a connection's read interest while its request is at the upstream; bytes that
     * arrive meanwhile are reported once and then left for later, not reported in a loop.
     */
    @Test
    void aRequestWaitingBehindASlowOneLeavesTheGatewayIdle() throws Exception {
        var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        String answer;
        long busyNanos;
        try (RawClient client = new RawClient(gw.gateway().port())) {
            client.send("GET /open/slower HTTP/1.1\r\nHost: gw\r\n\r\n");
            sleep(200);
            client.send("GET /open/next HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
            long before = os.getProcessCpuTime();
            sleep(1_000);
            busyNanos = os.getProcessCpuTime() - before;
            answer = client.readUntilClosed();
        }
        assertThat(answer).containsSubsequence("HTTP/1.1 200 ", "/slower ", "HTTP/1.1 200 ", "/next ");
        assertThat(busyNanos).as("CPU used by the test's JVM in the second the request waited").isLessThan(500_000_000L);
    }

    @Test
    void aBodySentInPiecesReachesTheUpstreamWhole() throws Exception {
        String answer;
        try (RawClient client = new RawClient(gw.gateway().port())) {
            client.send("POST /open/body HTTP/1.1\r\nHost: gw\r\nConnection: close\r\nContent-Length: 9\r\n\r\n");
            for (String piece : new String[] {"abc", "def", "ghi"}) {
                sleep(100);
                client.send(piece);
            }
            answer = client.readUntilClosed();
        }
        assertThat(answer).startsWith("HTTP/1.1 200 ").endsWith("/body abcdefghi");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        String answer;
        try (RawClient client = new RawClient(gw.gateway().port())) {
            client.send("GET /open/a HTTP/1.1\r\nHost: gw\r\n\r\nGET /open/b HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
            answer = client.readUntilClosed();
        }
        assertThat(answer).containsSubsequence("HTTP/1.1 200 ", "/a ", "HTTP/1.1 200 ", "/b ");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
