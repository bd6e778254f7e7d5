package io.polygate.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A gateway in a JVM of its own (for what a test JVM cannot show: a small heap, a crash), started
 * with this JVM's java, class path and GraalVM flags plus the given JVM options, on free ports,
 * with its output in {@code gateway.log} beside the config.
 */
public final class GatewayProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final int adminPort;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private GatewayProcess(Process process, int port, int adminPort, Path log) {
        this.process = process;
        this.port = port;
        this.adminPort = adminPort;
        this.log = log;
    }

    /** {@code yaml} without host and ports (they are added); relative paths resolve against {@code dir}. */
    public static GatewayProcess start(Path dir, String yaml, String... jvmOptions) throws IOException {
        int port = freePort();
        int admin = freePort();
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, "host: 127.0.0.1\nlisten_port: " + port + "\nadmin: {host: 127.0.0.1, port: " + admin
                + ", secret: test-secret}\n" + yaml);
        List<String> command = mainCommand(jvmOptions);
        command.addAll(List.of("start", "--config", config.toString()));
        Path log = dir.resolve("gateway.log");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new GatewayProcess(p, port, admin, log);
    }

    /** {@code java ... io.polygate.Main} with this JVM's class path and JIT flags plus {@code jvmOptions}; add the command's arguments. */
    public static List<String> mainCommand(String... jvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
            if (arg.startsWith("--upgrade-module-path") || arg.startsWith("-XX:+UnlockExperimentalVMOptions") || arg.startsWith("-XX:+EnableJVMCI")
                    || arg.startsWith("--enable-native-access") || arg.startsWith("--sun-misc-unsafe-memory-access")) command.add(arg);
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.polygate.Main"));
        return command;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public boolean alive() { return process.isAlive(); }

    /** The gateway's listen port. */
    public int port() { return port; }

    /** Waits for the process to exit; its exit code, or -1 if it still runs after {@code within}. */
    public int exitCode(Duration within) throws InterruptedException {
        return process.waitFor(within.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    public String log() throws IOException { return Files.readString(log); }

    /**
     * A full garbage collection in the gateway's JVM ({@code jcmd <pid> GC.run}), so that what a
     * test does next does not meet the garbage of what it did before (a heap still full of it).
     */
    public void collectGarbage() throws IOException, InterruptedException {
        Path javaBin = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Process jcmd = new ProcessBuilder(javaBin.resolveSibling("jcmd").toString(), Long.toString(process.pid()), "GC.run")
                .redirectErrorStream(true).start();
        if (!jcmd.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            jcmd.destroyForcibly();
            throw new IllegalStateException("jcmd GC.run did not finish within 60 s");
        }
        String out = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (jcmd.exitValue() != 0) throw new IllegalStateException("jcmd GC.run failed: " + out);
    }

    /** A GET on the gateway port, with a timeout; null when there is no answer. */
    public HttpResponse<String> get(String path, Duration timeout) throws InterruptedException {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(timeout));
    }

    /** An admin API call with the secret; {@code body} may be null; null when there is no answer. */
    public HttpResponse<String> admin(String method, String path, String body) throws InterruptedException {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path)).header("X-Polygate-Secret", "test-secret")
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)));
    }

    /** An upload of a bundle zip ({@code POST /bundles?name=NAME}); null when there is no answer. */
    public HttpResponse<String> push(String name, byte[] zip) throws InterruptedException {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/bundles?name=" + name)).header("X-Polygate-Secret", "test-secret")
                .header("Content-Type", "application/zip").timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofByteArray(zip)));
    }

    /** A GET with one request header; null when there is no answer. */
    public HttpResponse<String> getWithHeader(String path, String name, String value, Duration timeout) throws InterruptedException {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header(name, value).timeout(timeout));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws InterruptedException {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        }
    }

    /** Waits until the admin API's {@code /health} answers 200. */
    public void awaitStarted(Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("the gateway exited: " + log());
            HttpResponse<String> r = admin("GET", "/health", null);
            if (r != null && r.statusCode() == 200) return;
            Thread.sleep(100);
        }
        throw new IllegalStateException("the gateway did not start within " + within + "; log:\n" + log());
    }

    /** Waits until {@code path} answers {@code status}. */
    public void await(String path, int status, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("the gateway exited: " + log());
            HttpResponse<String> r = get(path, Duration.ofSeconds(5));
            if (r != null && r.statusCode() == status) return;
            Thread.sleep(200);
        }
        throw new IllegalStateException(path + " did not answer " + status + " within " + within + "; log:\n" + log());
    }

    /** Waits until the gateway's log holds {@code text}. */
    public void awaitLog(String text, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (!log().contains(text)) {
            if (System.nanoTime() - deadline > 0) throw new IllegalStateException("the log has no \"" + text + "\" after " + within + ":\n" + log());
            Thread.sleep(50);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    }
}
