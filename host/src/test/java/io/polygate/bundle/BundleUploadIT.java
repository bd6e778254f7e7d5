package io.polygate.bundle;

import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.testing.BundleZips;
import io.polygate.testing.GatewayFixture;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Uploads through the admin API to a gateway with a public key configured: signed bundles (built
 * by BundleBuilder, or zipped by hand in Tyk's manifest format) load; every broken, unsigned or
 * unsafe upload is refused with a 4xx JSON error naming the problem while the serving version
 * keeps answering; a zip dropped into bundles_dir is picked up.
 */
class BundleUploadIT {
    static final String PY_MANIFEST = "{\"file_list\": [\"middleware.py\"], \"custom_middleware\": {\"driver\": \"python\", \"pre\": [{\"name\": \"Stamp\"}]}}";
    static final String JS_MANIFEST = "{\"file_list\": [\"middleware.js\"], \"custom_middleware\": {\"driver\": \"js\", \"pre\": [{\"name\": \"stamp\"}]}}";
    static final long MAX_ZIP = 64 * 1024;
    static GatewayFixture gw;
    static Path tmp;
    static KeyPair keys;
    static RSAPrivateKey key;

    @BeforeAll
    static void start() throws Exception {
        System.setProperty("polygate.plugin.pool_size", "1");
        // the held hook below runs until the test lets it go, past the 1 s default limit
        System.setProperty("polygate.plugin.timeout_ms", "30000");
        tmp = Files.createTempDirectory("polygate-upload");
        Files.createDirectories(tmp.resolve("bundles"));
        keys = BundleZips.keyPair();
        key = (RSAPrivateKey) keys.getPrivate();
        BundleZips.writePublicPem(keys, tmp.resolve("public.pem"));
        gw = GatewayFixture.start("""
                bundles_dir: bundles
                bundles: {public_key: public.pem, max_zip_bytes: %d, poll_interval: 200ms}
                apis:
                  - {api_id: py, listen_path: /py, strip_listen_path: true, target_url: "echo://", auth: none, custom_middleware_bundle: py}
                  - {api_id: js, listen_path: /js, strip_listen_path: true, target_url: "echo://", auth: none, custom_middleware_bundle: js}
                  - {api_id: tyk, listen_path: /tyk-made, strip_listen_path: true, target_url: "echo://", auth: none, custom_middleware_bundle: tyk-made}
                  - {api_id: dropped, listen_path: /dropped, strip_listen_path: true, target_url: "echo://", auth: none, custom_middleware_bundle: dropped}
                  - {api_id: slow, listen_path: /slow, strip_listen_path: true, target_url: "echo://", auth: none, custom_middleware_bundle: slow}
                """.formatted(MAX_ZIP), tmp);
        HttpResponse<String> py = BundleZips.push(gw, "py", BundleZips.build(pyFiles("py-1"), key));
        assertThat(py.statusCode()).as(py.body()).isEqualTo(201);
        HttpResponse<String> js = BundleZips.push(gw, "js", BundleZips.build(jsFiles("js-1"), key));
        assertThat(js.statusCode()).as(js.body()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        System.clearProperty("polygate.plugin.pool_size");
        System.clearProperty("polygate.plugin.timeout_ms");
        if (gw != null) gw.close();
    }

    static Map<String, String> pyFiles(String stamp) {
        return BundleZips.files(PY_MANIFEST, "middleware.py", """
                from tyk.decorators import *

                @Hook
                def Stamp(request, session, spec):
                    request.add_header('X-Version', '%s')
                    return request, session
                """.formatted(stamp));
    }

    static Map<String, String> jsFiles(String stamp) {
        return BundleZips.files(JS_MANIFEST, "middleware.js",
                "function stamp(request, session, spec) { request.add_header('X-Version', '" + stamp + "'); }\n");
    }

    static String served(String api) throws Exception {
        HttpResponse<String> r = gw.get("/" + api + "/x");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r).path("headers").path("X-Version").asText();
    }

    /** Uploads, expects the status and an error starting with/containing the text; the old versions still serve. */
    static String refused(String name, byte[] zip, int status) throws Exception {
        HttpResponse<String> r = BundleZips.push(gw, name, zip);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode body = json(r);
        assertThat(body.path("status").asInt()).isEqualTo(status);
        assertThat(served("py")).isEqualTo("py-1");
        assertThat(served("js")).isEqualTo("js-1");
        return body.path("error").asText();
    }

    @Test
    void bundleSignedByBundleBuilderLoadsAndServes() throws Exception {
        assertThat(served("py")).isEqualTo("py-1");
        assertThat(served("js")).isEqualTo("js-1");
        JsonNode st = json(gw.admin("GET", "/bundles/py", null));
        assertThat(st.path("status").asText()).isEqualTo("ready");
        assertThat(st.path("driver").asText()).isEqualTo("python");
        assertThat(st.path("apis").toString()).isEqualTo("[\"py\"]");
        // without Redis the upload is kept in bundles_dir, so it survives a restart
        assertThat(Files.isRegularFile(tmp.resolve("bundles/py.zip"))).isTrue();
    }

    @Test
    void sameFilesZippedByHandInTykManifestFormatLoad() throws Exception {
        Map<String, String> code = new LinkedHashMap<>();
        code.put("middleware.py", pyFiles("tyk-made").get("middleware.py"));
        String manifest = BundleZips.tykManifest("""
                {"driver": "python", "pre": [{"name": "Stamp", "path": "", "require_session": false, "raw_body_only": false}],
                 "post": [], "post_key_auth": [], "response": [], "auth_check": {"name": "", "path": "", "require_session": false, "raw_body_only": false}}""",
                code, key);
        Map<String, String> entries = new LinkedHashMap<>(code);
        entries.put("manifest.json", manifest);
        HttpResponse<String> r = BundleZips.push(gw, "tyk-made", BundleZips.zip(entries));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(served("tyk-made")).isEqualTo("tyk-made");
    }

    @Test
    void invalidManifestIsRefused() throws Exception {
        byte[] zip = BundleZips.zip(Map.of("manifest.json", "{\"file_list\": [\"middleware.js\"],,}", "middleware.js", "function stamp(){}"));
        assertThat(refused("js", zip, 400)).startsWith("bundle \"js\": manifest.json: invalid JSON");
    }

    @Test
    void pythonSyntaxErrorIsRefused() throws Exception {
        Map<String, String> f = pyFiles("py-2");
        f.put("middleware.py", f.get("middleware.py").replace("def Stamp(request, session, spec):", "def Stamp(request, session, spec)"));
        assertThat(refused("py", BundleZips.build(f, key), 400)).startsWith("bundle \"py\": middleware.py line 4: ").contains("SyntaxError");
    }

    @Test
    void javascriptSyntaxErrorIsRefused() throws Exception {
        Map<String, String> f = BundleZips.files(JS_MANIFEST, "middleware.js", "function stamp(request, session, spec) {\n  request.add_header('X-Version', 'js-2'\n}\n");
        assertThat(refused("js", BundleZips.build(f, key), 400)).startsWith("bundle \"js\": middleware.js line ").contains("SyntaxError");
    }

    @Test
    void hookNamedButMissingIsRefused() throws Exception {
        Map<String, String> f = BundleZips.files(JS_MANIFEST.replace("\"stamp\"", "\"Nope\""), "middleware.js", jsFiles("js-2").get("middleware.js"));
        assertThat(refused("js", BundleZips.build(f, key), 400)).isEqualTo("bundle \"js\": hook \"Nope\" (pre) is not defined in middleware.js");
    }

    @Test
    void checksumMismatchIsRefused() throws Exception {
        Map<String, String> code = new LinkedHashMap<>();
        code.put("middleware.js", jsFiles("js-2").get("middleware.js"));
        String manifest = BundleZips.tykManifest("{\"driver\": \"js\", \"pre\": [{\"name\": \"stamp\"}]}", code, key);
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("manifest.json", manifest);
        entries.put("middleware.js", code.get("middleware.js").replace("js-2", "js-X"));
        assertThat(refused("js", BundleZips.zip(entries), 400)).startsWith("bundle \"js\": checksum mismatch");
    }

    @Test
    void signatureByAnotherKeyIsRefused() throws Exception {
        RSAPrivateKey other = (RSAPrivateKey) BundleZips.keyPair().getPrivate();
        assertThat(refused("js", BundleZips.build(jsFiles("js-2"), other), 400))
                .startsWith("bundle \"js\": ").contains("signature").contains("does not match");
    }

    @Test
    void unsignedBundleIsRefusedWhenAKeyIsConfigured() throws Exception {
        assertThat(refused("js", BundleZips.build(jsFiles("js-2"), null), 400))
                .startsWith("bundle \"js\": ").contains("not signed");
    }

    @Test
    void zipWithDotDotEntriesIsRefused() throws Exception {
        Map<String, String> entries = new LinkedHashMap<>(BundleZips.build(jsFiles("js-2"), key) == null ? Map.of() : jsFiles("js-2"));
        entries.put("../evil.js", "function stamp(){}");
        assertThat(refused("js", BundleZips.zip(entries), 400)).isEqualTo("bundle \"js\": file \"../evil.js\": entry escapes the bundle folder");
        assertThat(Files.exists(tmp.resolve("evil.js"))).isFalse();
    }

    @Test
    void oversizedZipIsRefusedWith413() throws Exception {
        Map<String, String> f = jsFiles("js-2");
        // random text does not compress, so the zip really is over the limit
        StringBuilder pad = new StringBuilder("// ");
        java.util.Random rnd = new java.util.Random(1);
        while (pad.length() < 2 * MAX_ZIP) pad.append((char) ('!' + rnd.nextInt(90)));
        f.put("middleware.js", f.get("middleware.js") + pad + "\n");
        byte[] zip = BundleZips.zip(f);
        assertThat(zip.length).isGreaterThan((int) MAX_ZIP);
        assertThat(refused("js", zip, 413)).isEqualTo("bundle \"js\": zip is " + zip.length + " bytes, over the limit of " + MAX_ZIP + " bytes (bundles.max_zip_bytes)");
    }

    @Test
    void refusalShowsInTheListWhileTheOldVersionServes() throws Exception {
        refused("js", BundleZips.build(jsFiles("js-3"), null), 400);
        JsonNode st = json(gw.admin("GET", "/bundles/js", null));
        assertThat(st.path("status").asText()).isEqualTo("ready");
        assertThat(st.path("last_error").asText()).contains("not signed");
    }

    @Test
    void uploadWithoutNameIsRefused() throws Exception {
        HttpResponse<String> r = BundleZips.push(gw.http(), gw.adminUrl("/bundles"), BundleZips.build(jsFiles("x"), key));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).path("error").asText()).startsWith("name: required");
    }

    @Test
    void signedZipDroppedIntoBundlesDirIsPickedUp() throws Exception {
        assertThat(gw.get("/dropped/x").statusCode()).isEqualTo(503);
        Path tmpZip = tmp.resolve("dropped.zip.part");
        Files.write(tmpZip, BundleZips.build(jsFiles("dropped-1"), key));
        Files.move(tmpZip, tmp.resolve("bundles/dropped.zip"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (gw.get("/dropped/x").statusCode() != 200) {
            assertThat(System.nanoTime()).as("dropped bundle not picked up").isLessThan(deadline);
            Thread.sleep(100);
        }
        assertThat(served("dropped")).isEqualTo("dropped-1");
        Files.write(tmpZip, BundleZips.build(jsFiles("dropped-2"), key));
        Files.move(tmpZip, tmp.resolve("bundles/dropped.zip"), java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        while (!served("dropped").equals("dropped-2")) {
            assertThat(System.nanoTime()).as("replaced bundle not picked up").isLessThan(deadline + Duration.ofSeconds(20).toNanos());
            Thread.sleep(100);
        }
    }

    @Test
    void requestInsideTheOldVersionFinishesOnItAndTheOldVersionClosesAfterwards() throws Exception {
        var log = io.polygate.testing.PluginTesting.captureLog("io.polygate.bundle");
        // v1's pre hook holds its request until the test opens the gate, so the request is inside v1 when v2 is swapped in
        Map<String, String> slow = BundleZips.files(JS_MANIFEST, "middleware.js", "function stamp(request, session, spec) {"
                + " tyk.store_data('slow:inside', '1', 0); while (tyk.get_data('slow:gate') !== 'open') {}"
                + " request.add_header('X-Version', 'slow-1'); }\n");
        HttpResponse<String> v1 = BundleZips.push(gw, "slow", BundleZips.build(slow, key));
        assertThat(v1.statusCode()).as(v1.body()).isEqualTo(201);
        String v1Version = json(v1).path("version").asText();
        var inFlight = gw.http().sendAsync(java.net.http.HttpRequest.newBuilder(gw.url("/slow/x")).build(),
                HttpResponse.BodyHandlers.ofString());
        long inside = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (gw.gateway().store().get("coprocess-data:slow:inside") == null) {
            assertThat(System.nanoTime()).as("the request never got inside v1").isLessThan(inside);
            Thread.sleep(20);
        }
        HttpResponse<String> v2 = BundleZips.push(gw, "slow", BundleZips.build(jsFiles("slow-2"), key));
        assertThat(v2.statusCode()).as(v2.body()).isEqualTo(201);
        assertThat(inFlight.isDone()).as("the slow request was still inside v1 when v2 went live").isFalse();
        assertThat(served("slow")).isEqualTo("slow-2");
        assertThat(io.polygate.testing.PluginTesting.logged(log, "version " + v1Version + " is idle and closed"))
                .as("v1 closed while a request was inside it").isFalse();

        gw.gateway().store().set("coprocess-data:slow:gate", "open", null);
        HttpResponse<String> old = inFlight.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(old.statusCode()).as(old.body()).isEqualTo(200);
        assertThat(json(old).path("headers").path("X-Version").asText()).isEqualTo("slow-1");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!io.polygate.testing.PluginTesting.logged(log, "version " + v1Version + " is idle and closed")) {
            assertThat(System.nanoTime()).as("v1 not closed once idle").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void unusedBundleIsDeletedEverywhereAndThenUnknown() throws Exception {
        HttpResponse<String> up = BundleZips.push(gw, "unused", BundleZips.build(jsFiles("u-1"), key));
        assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
        assertThat(json(up).path("apis")).isEmpty();
        HttpResponse<String> del = gw.admin("DELETE", "/bundles/unused", null);
        assertThat(del.statusCode()).as(del.body()).isEqualTo(200);
        assertThat(json(del).path("status").asText()).isEqualTo("deleted");
        HttpResponse<String> get = gw.admin("GET", "/bundles/unused", null);
        assertThat(get.statusCode()).isEqualTo(404);
        assertThat(json(get).path("error").asText()).isEqualTo("no bundle \"unused\"");
        assertThat(Files.exists(tmp.resolve("bundles/unused.zip"))).isFalse();
        assertThat(gw.admin("DELETE", "/bundles/unused", null).statusCode()).isEqualTo(404);
    }

    @Test
    void reloadAnswersWithEveryBundleAndKeepsServing() throws Exception {
        HttpResponse<String> r = gw.admin("POST", "/bundles/reload", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.path("node").asText()).isNotEmpty();
        boolean listsPy = false;
        for (JsonNode b : body.path("bundles")) if (b.path("name").asText().equals("py")) listsPy = b.path("status").asText().equals("ready");
        assertThat(listsPy).as(r.body()).isTrue();
        assertThat(served("js")).isEqualTo("js-1");
        assertThat(gw.admin("GET", "/reload", null).statusCode()).isEqualTo(405);
    }
}
