package io.polygate.edge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** HTTP/1.1 as bytes on a plain socket to the gateway: what a hostile client sends, and all the gateway answers. */
final class RawClient implements AutoCloseable {
    final Socket socket;

    RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
    }

    void send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** Everything the gateway sends until it closes the connection; fails if it keeps it open for 15 s. */
    String readUntilClosed() throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) all.write(buf, 0, n);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the gateway kept the connection open; so far it sent:\n" + all.toString(StandardCharsets.ISO_8859_1));
        } catch (java.net.SocketException reset) {
            // a reset after the answer is a close too
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException { socket.close(); }
}
