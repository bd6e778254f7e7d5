package io.polygate.sdk.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleCliTest {
    @TempDir Path tmp;
    Path src;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    HttpServer admin;

    @BeforeEach
    void writeSource() throws Exception {
        src = Files.createDirectories(tmp.resolve("plugin"));
        Files.writeString(src.resolve("middleware.py"), "pass\n");
        Files.writeString(src.resolve("manifest.json"), "{\"file_list\": [\"middleware.py\"], \"custom_middleware\": {\"driver\": \"python\"}}");
    }

    @AfterEach
    void stopAdmin() {
        if (admin != null) admin.stop(0);
    }

    private int run(Map<String, String> env, String... args) {
        return new BundleCli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                env, Duration.ofSeconds(10)).run(args);
    }

    private int run(String... args) { return run(Map.of(), args); }

    private String out() { return out.toString(StandardCharsets.UTF_8); }

    private String err() { return err.toString(StandardCharsets.UTF_8); }

    /** A stand-in admin API answering POST /bundles with a fixed status and body, recording what it got. */
    private String startAdmin(int status, String body, AtomicReference<String> seen) throws Exception {
        admin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        admin.createContext("/bundles", ex -> {
            byte[] zip = ex.getRequestBody().readAllBytes();
            seen.set(ex.getRequestMethod() + " " + ex.getRequestURI() + " " + ex.getRequestHeaders().getFirst("X-Polygate-Secret")
                    + " " + ex.getRequestHeaders().getFirst("Content-Type") + " " + zip.length);
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        admin.start();
        return "http://127.0.0.1:" + admin.getAddress().getPort();
    }

    @Test
    void buildWritesSignedStrictBundle() throws Exception {
        Path key = TestKeys.write(tmp.resolve("private.pem"), TestKeys.pkcs1Pem(TestKeys.KEYS));
        Path zip = tmp.resolve("out/x.zip");

        int code = run("build", src.toString(), "-o", zip.toString(), "--key", key.toString(), "--strict");

        assertThat(code).as(err()).isZero();
        assertThat(out()).startsWith("wrote " + zip + ": 1 file(s) + manifest.json, checksum ").endsWith(", signed (signature, signature_strict)\n");
        try (ZipFile z = new ZipFile(zip.toFile())) {
            String manifest = new String(z.getInputStream(z.getEntry("manifest.json")).readAllBytes(), StandardCharsets.UTF_8);
            assertThat(manifest).contains("\"signature\"", "\"signature_strict\"", "\"checksum\"");
        }
    }

    @Test
    void buildWithoutKeyNotesTheBundleIsUnsigned() {
        int code = run("build", src.toString(), "-o", tmp.resolve("x.zip").toString());

        assertThat(code).isZero();
        assertThat(err()).contains("note: the bundle is unsigned (no --key)");
        assertThat(out()).endsWith(", unsigned\n");
    }

    @Test
    void buildReportsMissingFileAndFails() throws Exception {
        Files.delete(src.resolve("middleware.py"));

        int code = run("build", src.toString(), "-o", tmp.resolve("x.zip").toString());

        assertThat(code).isEqualTo(1);
        assertThat(err()).isEqualTo("polygate bundle: bundle \"plugin\": file \"middleware.py\": listed in file_list but not in the bundle\n");
        assertThat(tmp.resolve("x.zip")).doesNotExist();
    }

    @Test
    void strictWithoutKeyIsAUsageError() {
        int code = run("build", src.toString(), "--strict");

        assertThat(code).isEqualTo(2);
        assertThat(err()).startsWith("polygate bundle build: --strict needs --key");
    }

    @Test
    void pushPrintsTheAdminAnswer() throws Exception {
        Path zip = tmp.resolve("x.zip");
        run("build", src.toString(), "-o", zip.toString());
        err.reset();
        AtomicReference<String> seen = new AtomicReference<>();
        String url = startAdmin(201, "{\"name\":\"auth plugin\",\"version\":\"ab12\",\"status\":\"loaded\"}", seen);
        out.reset();

        int code = run("push", zip.toString(), "--name", "auth plugin", "--admin", url + "/", "--secret", "s3cret");

        assertThat(code).as(err()).isZero();
        assertThat(seen.get()).isEqualTo("POST /bundles?name=auth+plugin s3cret application/zip " + Files.size(zip));
        assertThat(out()).contains("\"version\" : \"ab12\"", "\"status\" : \"loaded\"");
    }

    @Test
    void pushShowsTheRefusalAndFails() throws Exception {
        Path zip = tmp.resolve("x.zip");
        run("build", src.toString(), "-o", zip.toString());
        err.reset();
        AtomicReference<String> seen = new AtomicReference<>();
        String url = startAdmin(400, "{\"error\":\"bundle \\\"auth\\\": checksum mismatch\",\"status\":400}", seen);

        int code = run(Map.of("POLYGATE_ADMIN_URL", url, "POLYGATE_ADMIN_SECRET", "from-env"), "push", zip.toString(), "--name", "auth");

        assertThat(code).isEqualTo(1);
        assertThat(seen.get()).startsWith("POST /bundles?name=auth from-env ");
        assertThat(err()).startsWith("polygate bundle: push: auth refused: HTTP 400: bundle \"auth\": checksum mismatch\n");
    }

    @Test
    void pushSaysWhenTheAdminApiIsNotRunning() throws Exception {
        Path zip = tmp.resolve("x.zip");
        run("build", src.toString(), "-o", zip.toString());
        err.reset();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }

        int code = run("push", zip.toString(), "--name", "auth", "--admin", "http://127.0.0.1:" + port, "--secret", "x");

        assertThat(code).isEqualTo(1);
        assertThat(err()).isEqualTo("polygate bundle: push: cannot reach the admin API at http://127.0.0.1:" + port
                + " (connection refused); is the gateway running? (set --admin URL)\n");
    }

    @Test
    void pushNeedsAName() {
        int code = run("push", "x.zip");

        assertThat(code).isEqualTo(2);
        assertThat(err()).isEqualTo("polygate bundle push: Missing required option: '--name=NAME'\n"
                + "Try 'polygate bundle push --help' for more information.\n");
    }

    @Test
    void aMistypedOptionIsRefusedWithTheNearestOne() {
        int code = run("build", src.toString(), "-o", tmp.resolve("x.zip").toString(), "--stirct");

        assertThat(code).isEqualTo(2);
        assertThat(err()).startsWith("polygate bundle build: Unknown option: '--stirct'")
                .contains("\nDid you mean --strict?\n")
                .endsWith("Try 'polygate bundle build --help' for more information.\n");
        assertThat(tmp.resolve("x.zip")).doesNotExist();
    }

    @Test
    void anOptionWithoutItsValueIsAUsageError() {
        int code = run("build", src.toString(), "-o");

        assertThat(code).isEqualTo(2);
        assertThat(err()).startsWith("polygate bundle build: Missing required parameter for option '--output' (FILE)");
    }

    @Test
    void helpOfEachCommandGoesToStdout() {
        for (String command : new String[] {"build", "push", "verify"}) {
            out.reset();
            assertThat(run(command, "--help")).isZero();
            assertThat(out()).startsWith("Usage: polygate bundle " + command);
        }
    }

    @Test
    void verifyAcceptsAGoodSignedBundleAndRefusesATamperedOne() throws Exception {
        Path key = TestKeys.write(tmp.resolve("private.pem"), TestKeys.pkcs1Pem(TestKeys.KEYS));
        Path publicKey = TestKeys.write(tmp.resolve("public.pem"), TestKeys.spkiPem(TestKeys.KEYS));
        Path zip = tmp.resolve("plugin.zip");
        run("build", src.toString(), "-o", zip.toString(), "--key", key.toString());
        out.reset();

        assertThat(run("verify", zip.toString(), "--key", publicKey.toString())).as(err()).isZero();
        assertThat(out()).startsWith("bundle plugin: checksum ").endsWith(" matches, signature verified\n");

        Files.writeString(src.resolve("middleware.py"), "print('changed')\n");
        err.reset();
        assertThat(run("verify", src.toString(), "--key", publicKey.toString())).isEqualTo(1);
        assertThat(err()).startsWith("polygate bundle: bundle \"plugin\": ");
    }
}
