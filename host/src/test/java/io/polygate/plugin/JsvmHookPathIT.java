package io.polygate.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.bundle.BundleStatus;
import io.polygate.testing.BundleZips;
import io.polygate.testing.GatewayFixture;
import io.polygate.testing.PluginTesting;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tyk's JSVM loads the file each hook's {@code path} names, whatever {@code file_list} says: JSVM
 * bundles built for Tyk often list nothing and name the file in the hook.
 */
class JsvmHookPathIT {
    /** Tyk's checksum of an empty file_list: MD5 of no bytes. */
    static final String EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e";

    static GatewayFixture gw;
    static Path bundles;

    @BeforeAll
    static void start() throws Exception {
        Path tmp = Files.createTempDirectory("polygate-jsvm-path");
        bundles = Files.createDirectories(tmp.resolve("bundles"));
        writeBundle("by-path", "middleware/stamp.js", stampHook("v1"));
        writeBundle("missing-path", "nowhere.js", null);
        gw = GatewayFixture.start("""
                bundles_dir: bundles
                bundles: {poll_interval: 200ms}
                apis:
                  - {api_id: by-path, listen_path: /by-path, strip_listen_path: true, target_url: "echo://", auth: none, custom_middleware_bundle: by-path}
                  - {api_id: missing-path, listen_path: /missing-path, strip_listen_path: true, target_url: "echo://", auth: none, custom_middleware_bundle: missing-path}
                """, tmp);
        PluginTesting.awaitBundles(gw.gateway(), Duration.ofMinutes(1), "by-path", "missing-path");
    }

    @AfterAll
    static void stop() {
        if (gw != null) gw.close();
    }

    static String manifest(String hookPath) {
        return """
                {"file_list": [],
                 "custom_middleware": {"driver": "otto", "pre": [{"name": "stampMiddleware", "path": "%s", "require_session": false}]},
                 "checksum": "%s", "signature": ""}
                """.formatted(hookPath, EMPTY_MD5);
    }

    static String stampHook(String version) {
        return """
                var stampMiddleware = new TykJS.TykMiddleware.NewMiddleware({});
                stampMiddleware.NewProcessRequest(function(request, session) {
                    request.SetHeaders["X-Stamp"] = "%s";
                    return stampMiddleware.ReturnData(request, {});
                });
                """.formatted(version);
    }

    static void writeBundle(String name, String hookPath, String code) throws Exception {
        Path dir = Files.createDirectories(bundles.resolve(name));
        Files.writeString(dir.resolve("manifest.json"), manifest(hookPath));
        if (code != null) {
            Path file = dir.resolve(hookPath);
            Files.createDirectories(file.getParent());
            Files.writeString(file, code);
        }
    }

    static String stamp() throws Exception {
        HttpResponse<String> r = gw.get("/by-path/x");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return GatewayFixture.json(r).path("headers").path("X-Stamp").asText();
    }

    @Test
    void jsvmBundleWithEmptyFileListLoadsTheFileItsHookPathNames() throws Exception {
        assertThat(gw.gateway().bundles().status("by-path").state()).isEqualTo("ready");
        assertThat(stamp()).isIn("v1", "v2");
    }

    @Test
    void changingTheFileAHookPathNamesLoadsANewVersion() throws Exception {
        String before = gw.gateway().bundles().status("by-path").version();
        Files.writeString(bundles.resolve("by-path/middleware/stamp.js"), stampHook("v2"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!stamp().equals("v2")) {
            assertThat(System.nanoTime()).as("v2 never served").isLessThan(deadline);
            Thread.sleep(100);
        }
        assertThat(gw.gateway().bundles().status("by-path").version()).isNotEqualTo(before);
    }

    @Test
    void aHookPathNamingNoFileRefusesTheBundleWithTheFileName() throws Exception {
        BundleStatus st = gw.gateway().bundles().status("missing-path");
        assertThat(st.state()).isEqualTo("failed");
        assertThat(st.error()).isEqualTo("bundle \"missing-path\": a hook's path names a file that is not in the bundle: nowhere.js");
        HttpResponse<String> r = gw.get("/missing-path/x");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(GatewayFixture.json(r).path("error").asText()).contains("nowhere.js");
    }

    @Test
    void withSignaturesRequiredAHookPathOutsideFileListIsRefused() throws Exception {
        Path tmp = Files.createTempDirectory("polygate-jsvm-signed");
        Files.createDirectories(tmp.resolve("bundles"));
        KeyPair keys = BundleZips.keyPair();
        BundleZips.writePublicPem(keys, tmp.resolve("public.pem"));
        try (GatewayFixture signed = GatewayFixture.start("""
                bundles_dir: bundles
                bundles: {public_key: public.pem}
                apis:
                  - {api_id: by-path, listen_path: /by-path, strip_listen_path: true, target_url: "echo://", auth: none, custom_middleware_bundle: by-path}
                """, tmp)) {
            // signed over file_list (empty): the signature is valid, yet covers nothing the hook runs
            String manifest = BundleZips.tykManifest(
                    "{\"driver\": \"otto\", \"pre\": [{\"name\": \"stampMiddleware\", \"path\": \"stamp.js\"}]}",
                    Map.of(), (RSAPrivateKey) keys.getPrivate());
            byte[] zip = BundleZips.zip(Map.of("manifest.json", manifest, "stamp.js", stampHook("unsigned")));
            HttpResponse<String> r = BundleZips.push(signed, "by-path", zip);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            assertThat(GatewayFixture.json(r).path("error").asText()).isEqualTo("bundle \"by-path\": stamp.js named by a hook's path"
                    + " but not in file_list: no signature covers it, and signatures are required (add it to file_list)");
            assertThat(signed.get("/by-path/x").statusCode()).isEqualTo(503);
        }
    }
}
