package io.polygate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the selector reports for a loopback socket whose key Jetty drives through a {@link StickyReadKey}. */
class StickyReadKeyTest {
    Selector selector;
    SocketChannel client;
    SocketChannel accepted;
    SelectionKey registered;
    StickyReadKey key;

    @BeforeEach
    void connect() throws Exception {
        selector = Selector.open();
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            client = SocketChannel.open(server.getLocalAddress());
            accepted = server.accept();
        }
        accepted.configureBlocking(false);
        registered = accepted.register(selector, 0);
        key = new StickyReadKey(registered);
    }

    @AfterEach
    void close() throws Exception {
        selector.close();
        client.close();
        accepted.close();
    }

    @Test
    void readInterestJettyDropsStaysWithTheSelectorAndReportsWhatArrives() throws Exception {
        key.interestOps(SelectionKey.OP_READ);
        key.interestOps(0);
        assertThat(registered.interestOps()).isEqualTo(SelectionKey.OP_READ);

        client.write(ByteBuffer.wrap("GET".getBytes()));
        assertThat(selector.select(5_000)).isEqualTo(1);
        assertThat(key.readyOps() & SelectionKey.OP_READ).isEqualTo(SelectionKey.OP_READ);
    }

    @Test
    void droppedReadInterestStopsReportsOfUnreadBytesUntilJettyAsksAgain() throws Exception {
        key.interestOps(SelectionKey.OP_READ);
        key.interestOps(0);
        client.write(ByteBuffer.wrap("GET".getBytes()));
        assertThat(selector.select(5_000)).isEqualTo(1);
        selector.selectedKeys().clear();

        key.dropRead();
        assertThat(selector.select(200)).as("unread bytes, nobody wants them").isZero();

        key.interestOps(SelectionKey.OP_READ);
        assertThat(selector.select(5_000)).as("Jetty wants to read again").isEqualTo(1);
    }

    @Test
    void writeInterestFollowsJettyAndKeepsReadInterest() {
        key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        key.interestOps(0);
        assertThat(registered.interestOps()).isEqualTo(SelectionKey.OP_READ);
        key.interestOps(SelectionKey.OP_WRITE);
        assertThat(registered.interestOps()).isEqualTo(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        assertThat(key.interestOps()).isEqualTo(registered.interestOps());
    }
}
