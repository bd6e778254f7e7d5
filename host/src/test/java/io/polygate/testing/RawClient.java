package io.polygate.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** HTTP/1.1 as bytes on a plain socket to the gateway: what a hostile client sends, and all the gateway answers. */
public final class RawClient implements AutoCloseable {
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)\r\ncontent-length: *(\\d+)\r\n");

    public final Socket socket;

    public RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
    }

    public void send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** Everything the gateway sends until it closes the connection; fails if it keeps it open for 15 s. */
    public String readUntilClosed() throws IOException {
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

    /**
     * One response framed by its Content-Length, head and body as text; {@code ""} when no byte of
     * it came within {@code millis}. Fails when the gateway closes the connection or stops partway.
     */
    public String readResponse(int millis) throws IOException {
        int before = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        try {
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) throw new AssertionError("the gateway closed the connection; it had sent: " + head);
                head.append((char) b);
            }
            Matcher length = CONTENT_LENGTH.matcher(head);
            if (!length.find()) throw new AssertionError("a response without Content-Length: " + head);
            int size = Integer.parseInt(length.group(1));
            byte[] body = in.readNBytes(size);
            if (body.length < size) throw new AssertionError("the gateway closed the connection partway through the body: " + head);
            return head + new String(body, StandardCharsets.ISO_8859_1);
        } catch (SocketTimeoutException e) {
            if (head.isEmpty()) return "";
            throw new AssertionError("the gateway stopped partway through a response: " + head);
        } finally {
            socket.setSoTimeout(before);
        }
    }

    @Override
    public void close() throws IOException { socket.close(); }
}
