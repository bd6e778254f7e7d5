package io.polygate.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.util.IO;

/**
 * A real {@code redis-server} for tests, started on a free loopback port and stopped at
 * {@link #close()}. With {@code POLYGATE_TEST_REDIS} set (a redis:// URI) that server is used
 * instead. A missing {@code redis-server} fails the test with how to install it: never a skip.
 * The temporary folder of a non-durable server is removed at {@link #close()}.
 */
public final class RedisServer implements AutoCloseable {
    private final Process process;
    private final String uri;
    private final int port;
    private final Path dir;
    private final boolean removeDir;

    private RedisServer(Process process, String uri, int port, Path dir, boolean removeDir) {
        this.process = process;
        this.uri = uri;
        this.port = port;
        this.dir = dir;
        this.removeDir = removeDir;
    }

    public static RedisServer start() {
        String external = System.getenv("POLYGATE_TEST_REDIS");
        if (external != null && !external.isBlank()) return new RedisServer(null, external, -1, null, false);
        try {
            return startOn(freePort());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts a local redis-server on the given port (to bring a stopped one back on the same address). */
    public static RedisServer startOn(int port) {
        try {
            return start(port, Files.createTempDirectory("polygate-redis"), false);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A redis-server that keeps its data in {@code dir} (append-only file, fsync on every write),
     * so that one started again on the same port and folder has everything the stopped one had.
     */
    public static RedisServer startDurable(int port, Path dir) {
        return start(port, dir, true);
    }

    private static RedisServer start(int port, Path dir, boolean durable) {
        String binary = findBinary();
        try {
            Files.createDirectories(dir);
            Process p = new ProcessBuilder(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", durable ? "yes" : "no", "--appendfsync", "always", "--dir", dir.toString(), "--protected-mode", "no")
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile())
                    .start();
            RedisServer server = new RedisServer(p, "redis://127.0.0.1:" + port, port, dir, !durable);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) throw new IllegalStateException("redis-server exited: " + Files.readString(dir.resolve("redis.log")));
                try {
                    if (server.command("PING").contains("PONG")) return server;
                } catch (IOException notYet) {
                    Thread.sleep(50);
                }
            }
            p.destroyForcibly();
            throw new IllegalStateException("redis-server did not answer PING on port " + port + " within 10 s");
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cannot start redis-server: " + e, e);
        }
    }

    private static String findBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, "redis-server");
            if (f.canExecute()) return f.getPath();
        }
        for (String f : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server"))
            if (new File(f).canExecute()) return f;
        throw new IllegalStateException("redis-server not found: install it (apt-get install redis-server) "
                + "or set POLYGATE_TEST_REDIS=redis://host:port");
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    public String uri() { return uri; }

    public int port() { return port; }

    /** Sends one inline command (no spaces inside arguments) and returns the raw reply. */
    public String command(String... args) throws IOException {
        int p = port > 0 ? port : java.net.URI.create(uri).getPort();
        String host = port > 0 ? "127.0.0.1" : java.net.URI.create(uri).getHost();
        try (Socket s = new Socket(host, p)) {
            s.setSoTimeout(2000);
            StringBuilder cmd = new StringBuilder("*" + args.length + "\r\n");
            for (String a : args) {
                byte[] b = a.getBytes(StandardCharsets.UTF_8);
                cmd.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
            }
            OutputStream out = s.getOutputStream();
            out.write(cmd.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            int n = in.read(buf);
            return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.UTF_8);
        }
    }

    /** Empties the database between tests. */
    public void flushAll() {
        try {
            command("FLUSHALL");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process == null) return;
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (removeDir) IO.delete(dir.toFile());
    }
}
