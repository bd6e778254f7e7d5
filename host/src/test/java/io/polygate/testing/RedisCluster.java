package io.polygate.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster for a test: {@code masters} local redis-server processes on free ports,
 * joined with {@code redis-cli --cluster create}, stopped on close.
 */
public final class RedisCluster implements AutoCloseable {
    private final List<Process> nodes = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();

    private RedisCluster() {}

    public static RedisCluster start(int masters) throws Exception {
        RedisCluster c = new RedisCluster();
        try {
            for (int i = 0; i < masters; i++) {
                int port = RedisServer.freePort();
                Path dir = Files.createTempDirectory("polygate-cluster");
                c.nodes.add(new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                        "--cluster-enabled", "yes", "--cluster-config-file", dir.resolve("nodes.conf").toString(),
                        "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--protected-mode", "no")
                        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start());
                c.ports.add(port);
            }
            for (int port : c.ports) c.awaitPing(port);
            List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            for (int port : c.ports) create.add("127.0.0.1:" + port);
            create.add("--cluster-yes");
            Process p = new ProcessBuilder(create).redirectErrorStream(true).redirectOutput(new File("/dev/null")).start();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("redis-cli --cluster create failed");
            long deadline = System.currentTimeMillis() + 20_000;
            while (!c.cli(c.ports.get(0), "CLUSTER", "INFO").contains("cluster_state:ok")) {
                if (System.currentTimeMillis() > deadline) throw new IllegalStateException("the cluster did not become ok");
                Thread.sleep(100);
            }
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    /** The masters' ports. */
    public List<Integer> ports() { return List.copyOf(ports); }

    /** A seed URI for a cluster client. */
    public String uri() { return "redis://127.0.0.1:" + ports.get(0); }

    private void awaitPing(int port) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!cli(port, "PING").contains("PONG")) {
            if (System.currentTimeMillis() > deadline) throw new IllegalStateException("redis-server on " + port + " did not start");
            Thread.sleep(50);
        }
    }

    /** {@code redis-cli -p port args...} against one node (no redirects); its output. */
    public String cli(int port, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(5, TimeUnit.SECONDS);
        return out;
    }

    /** {@code redis-cli -c} (following redirects to the key's master), as any client would write. */
    public String clusterCli(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-c"));
        all.addAll(List.of(args));
        return cli(ports.get(0), all.toArray(String[]::new));
    }

    @Override
    public void close() {
        for (Process p : nodes) p.destroy();
    }
}
