package io.polygate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.RedisServer;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution tarball (packaging/dist.xml, written by {@code mvn package} before failsafe runs)
 * as an operator gets it: unpacked into an empty directory and run there by {@code bin/polygate}
 * with only {@code JAVA_HOME}, a minimal {@code PATH} and a {@code HOME}: no Maven (an {@code mvn}
 * first on the {@code PATH} records any call), and nothing of the source tree in the gateway's
 * environment, command line, working directory or open files.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DistributionIT {
    /** The embedded demo config's ports (host/src/main/resources/polygate-default.yaml). */
    static final int DEMO_PORT = 8080;
    static final int DEMO_ADMIN_PORT = 8081;
    static final long MAX_TARBALL_BYTES = 128L * 1024 * 1024;

    static Path tarball;
    static Path repo;
    static Path work;
    static Path installation;
    static Path mavenCalled;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void unpack(@TempDir Path dir) throws Exception {
        tarball = Path.of(System.getProperty("polygate.test.dist", "target/polygate-unknown.tar.gz")).toAbsolutePath();
        assertThat(tarball).as("the distribution tarball (mvn package writes it)").isRegularFile();
        repo = tarball.getParent().getParent().getParent(); // <repo>/host/target/polygate-<version>.tar.gz
        work = dir;
        Process tar = new ProcessBuilder("tar", "xzf", tarball.toString(), "-C", dir.toString()).redirectErrorStream(true).start();
        assertThat(tar.waitFor(60, TimeUnit.SECONDS) && tar.exitValue() == 0).as("tar xzf: " + new String(tar.getInputStream().readAllBytes())).isTrue();
        try (Stream<Path> top = Files.list(dir)) {
            installation = top.filter(p -> p.getFileName().toString().startsWith("polygate-")).findFirst().orElseThrow();
        }
        Path sentinel = Files.createDirectories(dir.resolve("sentinel-bin"));
        mavenCalled = dir.resolve("mvn-was-called");
        Path mvn = sentinel.resolve("mvn");
        Files.writeString(mvn, "#!/bin/sh\ntouch '" + mavenCalled + "'\nexit 1\n");
        assertThat(mvn.toFile().setExecutable(true)).isTrue();
        Files.createDirectories(dir.resolve("home"));
    }

    @Test
    void startServesTheEmbeddedDemoWithOnlyAJdkAndStopsCleanlyOnSigterm() throws Exception {
        assertPortFree(DEMO_PORT);
        assertPortFree(DEMO_ADMIN_PORT);
        Path log = work.resolve("demo.log");
        Process gateway = launcher(Map.of(), log, "start").start();
        try {
            HttpResponse<String> echoed = await(gateway, log, DEMO_PORT, "/demo/anything");
            assertThat(echoed.body()).contains("\"path\":\"/anything\"");
            awaitLog(gateway, log, "bundle per-user-rate: version");
            assertThat(Files.readString(log))
                    .contains("GraalVM python engine ready (GraalVM CE)", "GraalVM js engine ready (GraalVM CE)")
                    .contains("folder " + installation.resolve("bundles"))
                    .doesNotContain("NO JIT");

            String pid = Long.toString(gateway.pid()); // bin/polygate exec'd the JVM: the same process
            assertThat(Files.readString(Path.of("/proc", pid, "cmdline")).replace('\0', ' '))
                    .contains("-Dpolygate.home=" + installation, "--upgrade-module-path=" + installation.resolve("compiler"),
                            installation.resolve("lib") + "/*", "io.polygate.Main start")
                    .doesNotContain(repo.toString());
            assertThat(Files.readString(Path.of("/proc", pid, "environ")).replace('\0', '\n'))
                    .doesNotContain(repo.toString());
            assertThat(Files.readSymbolicLink(Path.of("/proc", pid, "cwd"))).isEqualTo(installation);
            assertThat(openFiles(pid)).as("files the gateway has open").noneMatch(f -> f.startsWith(repo.toString()))
                    .anyMatch(f -> f.startsWith(installation.resolve("lib").toString()));
        } finally {
            gateway.destroy(); // SIGTERM
        }
        assertThat(gateway.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
        assertThat(gateway.exitValue()).as("the JVM's exit status after SIGTERM and a clean shutdown").isEqualTo(143);
        assertThat(Files.readString(log)).contains("polygate stopped").doesNotContain("Exception");
        assertThat(mavenCalled).as("mvn was never called").doesNotExist();
    }

    @Test
    void exampleConfigServesItsApiOnceTheOperatorSetsTheSecret() throws Exception {
        // edited in place, as the operator does: bundles_dir stays relative to conf/
        Path config = installation.resolve("conf/polygate.yaml");
        int port = RedisServer.freePort();
        int adminPort = RedisServer.freePort();
        String edited = Files.readString(config).replace("listen_port: 8080", "listen_port: " + port).replace("port: 8081", "port: " + adminPort);
        assertThat(edited).contains("listen_port: " + port, "  port: " + adminPort);
        Files.writeString(config, edited);

        Path refusedLog = work.resolve("no-secret.log");
        Process refused = launcher(Map.of(), refusedLog, "start", "--config", "conf/polygate.yaml").start();
        assertThat(refused.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(refused.exitValue()).as("a config error: exit 1 (docs/configuration.md)").isEqualTo(1);
        assertThat(Files.readString(refusedLog)).contains("admin.secret: is required (or set POLYGATE_ADMIN_SECRET)");

        Path log = work.resolve("example.log");
        Process gateway = launcher(Map.of("POLYGATE_ADMIN_SECRET", "example-secret"), log, "start", "--config", "conf/polygate.yaml").start();
        try {
            assertThat(await(gateway, log, port, "/echo/x?y=1").body()).contains("\"path\":\"/x\"", "\"query\":\"y=1\"");
            assertThat(Files.readString(log)).contains("folder " + installation.resolve("bundles"));
        } finally {
            gateway.destroy();
        }
        assertThat(gateway.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(gateway.exitValue()).isEqualTo(143);
    }

    @Test
    void buildAndTestAreRefusedWithoutMaven() throws Exception {
        for (String command : List.of("build", "test")) {
            Path log = work.resolve(command + ".log");
            Process p = launcher(Map.of(), log, command).start();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(command).isEqualTo(2);
            assertThat(Files.readString(log)).contains("polygate: '" + command + "' is not available in an installed distribution");
        }
        assertThat(mavenCalled).as("mvn was never called").doesNotExist();
    }

    @Test
    void tarballIsSmallAndHoldsEachJarOnce() throws Exception {
        assertThat(Files.size(tarball)).as("tarball bytes").isLessThan(MAX_TARBALL_BYTES);
        List<String> artifacts = new ArrayList<>();
        for (String dir : List.of("lib", "compiler"))
            try (Stream<Path> jars = Files.list(installation.resolve(dir))) {
                jars.map(p -> p.getFileName().toString()).forEach(name -> {
                    assertThat(name).as(dir + "/" + name).endsWith(".jar");
                    artifacts.add(name.replaceFirst("(-\\d.*)?\\.jar$", "")); // lib/ names carry the version, compiler/ names do not
                });
            }
        assertThat(artifacts).as("artifacts in lib/ and compiler/").doesNotHaveDuplicates()
                .contains("polygate-host", "polygate-plugin-sdk", "compiler", "truffle-compiler", "python-language", "js-language");
        for (String text : List.of("bin/polygate", "bin/jvm.sh", "conf/polygate.yaml", "conf/polygate.service"))
            assertThat(Files.readString(installation.resolve(text))).as(text).doesNotContain(repo.toString());
        assertThat(installation.resolve("bundles/per-user-rate/manifest.json")).isRegularFile();
        assertThat(installation.resolve("samples/python/per-user-rate/middleware.py")).isRegularFile();
    }

    /** bin/polygate run in the installation with only JAVA_HOME, a minimal PATH (Maven sentinel first), HOME and {@code env}. */
    ProcessBuilder launcher(Map<String, String> env, Path log, String... args) {
        List<String> command = new ArrayList<>(List.of(installation.resolve("bin/polygate").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(installation.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().clear();
        String java = System.getProperty("polygate.test.java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("JAVA_HOME", Path.of(java).getParent().getParent().toString());
        pb.environment().put("PATH", work.resolve("sentinel-bin") + ":/usr/bin:/bin");
        pb.environment().put("HOME", work.resolve("home").toString());
        pb.environment().putAll(env);
        return pb;
    }

    HttpResponse<String> await(Process gateway, Path log, int port, String path) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            assertThat(gateway.isAlive()).as("the gateway runs; log:\n" + Files.readString(log)).isTrue();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return r;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError(path + " did not answer 200 within 120 s; log:\n" + Files.readString(log));
    }

    static void awaitLog(Process gateway, Path log, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.readString(log).contains(line)) {
            assertThat(gateway.isAlive()).as("the gateway runs; log:\n" + Files.readString(log)).isTrue();
            if (System.nanoTime() > deadline) throw new AssertionError("no \"" + line + "\" within 120 s; log:\n" + Files.readString(log));
            Thread.sleep(200);
        }
    }

    /** The targets of the process's open file descriptors. */
    static List<String> openFiles(String pid) throws IOException {
        List<String> files = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", pid, "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    files.add(Files.readSymbolicLink(fd).toString());
                } catch (IOException closedMeanwhile) {
                    // a descriptor closed between listing and reading
                }
            }
        }
        return files;
    }

    static void assertPortFree(int port) throws IOException {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getByName("0.0.0.0"))) {
            assertThat(probe.isBound()).isTrue();
        } catch (BindException e) {
            throw new AssertionError("port " + port + " is taken: the embedded demo config binds " + DEMO_PORT + " and "
                    + DEMO_ADMIN_PORT + " (stop what listens there, e.g. a ./polygate start)", e);
        }
    }
}
