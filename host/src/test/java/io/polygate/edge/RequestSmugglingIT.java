package io.polygate.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.GatewayFixture;
import io.polygate.testing.RawClient;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.api.Test;

/**
 * Request smuggling shapes, requests whose framing two HTTP parsers could read differently, get a
 * 400 and a closed connection, and no request reaches the upstream whole: the upstream records
 * only requests whose body it read to the end.
 */
class RequestSmugglingIT {
    static OpenApiGateway open;
    static final Queue<String> completeAtUpstream = new ConcurrentLinkedQueue<>();
    static GatewayFixture gw;

    static final String HEAD = "POST /open/x HTTP/1.1\r\nHost: gw\r\n";

    static final List<String> SMUGGLING_SHAPES = List.of(
            // Content-Length and Transfer-Encoding: which one frames the body?
            HEAD + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /open/smuggled HTTP/1.1\r\nHost: gw\r\n\r\n",
            HEAD + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\nGET /open/smuggled HTTP/1.1\r\nHost: gw\r\n\r\n",
            // two Content-Lengths that disagree, and two that agree
            HEAD + "Content-Length: 4\r\nContent-Length: 40\r\n\r\nabcd",
            HEAD + "Content-Length: 4\r\nContent-Length: 4\r\n\r\nabcd",
            HEAD + "Content-Length: 4, 4\r\n\r\nabcd",
            // obs-fold: a header line continued on the next line
            HEAD + "Content-Length: 4\r\nX-Folded: a\r\n b\r\n\r\nabcd",
            HEAD + "Transfer-Encoding:\r\n chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n",
            // Transfer-Encoding that is not chunked last
            HEAD + "Transfer-Encoding: chunked, identity\r\n\r\n4\r\nabcd\r\n0\r\n\r\n",
            // bad chunk sizes: not hex, negative, overflowing, missing
            HEAD + "Transfer-Encoding: chunked\r\n\r\nzz\r\nabcd\r\n0\r\n\r\n",
            HEAD + "Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n-1\r\nx\r\n0\r\n\r\n",
            HEAD + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\nabcd\r\n0\r\n\r\n",
            HEAD + "Transfer-Encoding: chunked\r\n\r\n\r\nabcd\r\n0\r\n\r\n",
            HEAD + "Transfer-Encoding: chunked\r\n\r\n2\r\nabcd\r\n0\r\n\r\n");

    @BeforeAll
    static void start() throws Exception {
        open = OpenApiGateway.start("", (request, body) -> {
            completeAtUpstream.add(request.getMethod() + " " + request.getHttpURI().getPath() + " " + body);
            return "ok";
        });
        gw = open.gw;
    }

    @AfterAll
    static void stop() throws Exception {
        if (open != null) open.close();
    }

    @BeforeEach
    void forget() { completeAtUpstream.clear(); }

    @ParameterizedTest
    @FieldSource("SMUGGLING_SHAPES")
    void isAnswered400AndTheConnectionClosedAndNothingReachesTheUpstream(String request) throws Exception {
        String answer;
        try (RawClient client = new RawClient(gw.gateway().port())) {
            client.send(request);
            answer = client.readUntilClosed();
        }
        assertThat(answer).startsWith("HTTP/1.1 400 ");
        assertThat(answer).as("one answer, to the first request only").containsOnlyOnce("HTTP/1.1");
        Thread.sleep(100); // anything forwarded would have arrived by now
        assertThat(completeAtUpstream).isEmpty();
    }

    @Test
    void aWellFramedChunkedBodyIsStillForwarded() throws Exception {
        String answer;
        try (RawClient client = new RawClient(gw.gateway().port())) {
            client.send(HEAD + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n4\r\nabcd\r\n0\r\n\r\n");
            answer = client.readUntilClosed();
        }
        assertThat(answer).startsWith("HTTP/1.1 200 ").endsWith("ok");
        assertThat(completeAtUpstream).containsExactly("POST /x abcd");
    }
}
