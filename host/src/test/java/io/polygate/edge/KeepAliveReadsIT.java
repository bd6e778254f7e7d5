package io.polygate.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.GatewayFixture;
import io.polygate.testing.RawClient;
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
