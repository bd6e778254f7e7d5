package io.polygate.plugin;

import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.polygate.testing.BundleZips;
import io.polygate.testing.GatewayFixture;
import io.polygate.testing.PluginTesting;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a bundle cannot do to the gateway, end to end on a real gateway with real GraalVM: its
 * {@code id_extractor} regex cannot backtrack (RE2/J; a backreference is refused at load), its
 * guest code sees only the files {@code file_list} names (so the checksum covers all it can import),
 * {@code store_data} values are capped, and its log lines are rate-limited with a dropped count.
 */
class BundleHardeningIT {
    static GatewayFixture gw;
    static ListAppender<ILoggingEvent> chattyLog;
    static ListAppender<ILoggingEvent> failures;
    static final String[] NAMES = {"redos", "backref", "unlisted", "py-data", "js-data", "chatty"};

    /** An auth hook that accepts every request (the id_extractor runs before it). */
    static final String ACCEPT_ALL_JS = """
            function acceptAll(request, session, metadata, spec) {
              session.id_extractor_deadline = Math.floor(Date.now() / 1000) + 60;
              metadata.token = 'tok';
              return [request, session, metadata];
            }
            """;

    static final String UNLISTED_MIDDLEWARE = """
            from tyk.decorators import *
            import os
            import json
            import colorsys

            @Pre
            def Probe(request, session, spec):
                here = os.path.dirname(__file__)
                request.add_header('X-Json', json.dumps({'ok': True}))
                request.add_header('X-Colorsys', 'stdlib' if hasattr(colorsys, 'rgb_to_hsv') else 'unlisted')
                import allowed
                request.add_header('X-Allowed', allowed.NAME)
                try:
                    import extra
                    request.add_header('X-Extra', 'imported')
                except ImportError as e:
                    request.add_header('X-Extra', type(e).__name__)
                try:
                    open(os.path.join(here, 'json.py')).read()
                    request.add_header('X-Open', 'read')
                except OSError as e:
                    request.add_header('X-Open', type(e).__name__)
                request.add_header('X-Listing', ','.join(sorted(os.listdir(here))))
                return request, session
            """;

    static final String DATA_MIDDLEWARE = """
            from tyk.decorators import *
            from gateway import TykGateway as tyk

            @Pre
            def Store(request, session, spec):
                size = int(request.get_header('X-Size'))
                try:
                    tyk.store_data('hardening-py', 'x' * size, 0)
                    request.add_header('X-Stored', str(len(tyk.get_data('hardening-py'))))
                except ValueError as e:
                    request.add_header('X-Store-Error', str(e))
                return request, session
            """;

    static final String CHATTY_MIDDLEWARE = """
            from tyk.decorators import *
            from gateway import TykGateway as tyk

            @Pre
            def Chatty(request, session, spec):
                n = int(request.get_header('X-Lines'))
                for i in range(n):
                    tyk.log('chatty line %d' % i, 'info')
                    print('chatty line printed %d' % i)
                return request, session
            """;

    @BeforeAll
    static void start() throws Exception {
        System.setProperty("polygate.plugin.pool_size", "1");
        Path tmp = Files.createTempDirectory("polygate-hardening");
        Path bundles = Files.createDirectories(tmp.resolve("bundles"));
        folder(bundles.resolve("redos"), "js", "\"auth_check\": {\"name\": \"acceptAll\"}, \"id_extractor\": {\"extract_from\": \"body\","
                + " \"extract_with\": \"regex\", \"extractor_config\": {\"regex_expression\": \"(a+)+$\"}}", "middleware.js", ACCEPT_ALL_JS);
        folder(bundles.resolve("backref"), "js", "\"auth_check\": {\"name\": \"acceptAll\"}, \"id_extractor\": {\"extract_from\": \"body\","
                + " \"extract_with\": \"regex\", \"extractor_config\": {\"regex_expression\": \"(a+)\\\\1\"}}", "middleware.js", ACCEPT_ALL_JS);
        Map<String, String> listed = new LinkedHashMap<>();
        listed.put("middleware.py", UNLISTED_MIDDLEWARE);
        listed.put("vendor/allowed.py", "NAME = 'listed vendor module'\n");
        String manifest = BundleZips.tykManifest("{\"driver\": \"python\", \"pre\": [{\"name\": \"Probe\"}]}", listed, null);
        Map<String, String> entries = new LinkedHashMap<>(BundleZips.files(manifest));
        entries.putAll(listed);
        entries.put("json.py", "def dumps(*args, **kwargs):\n    return 'the unlisted json.py'\n");
        entries.put("colorsys.py", "raise RuntimeError('the unlisted colorsys.py ran')\n");
        entries.put("vendor/extra.py", "raise RuntimeError('the unlisted vendor/extra.py ran')\n");
        Files.write(bundles.resolve("unlisted.zip"), BundleZips.zip(entries));
        folder(bundles.resolve("py-data"), "python", "\"pre\": [{\"name\": \"Store\"}]", "middleware.py", DATA_MIDDLEWARE);
        folder(bundles.resolve("js-data"), "js", "\"pre\": [{\"name\": \"storeBig\"}]", "middleware.js", """
                function storeBig(request, session, spec) { tyk.store_data('hardening-js', new Array(70002).join('x'), 0); }
                """);
        folder(bundles.resolve("chatty"), "python", "\"pre\": [{\"name\": \"Chatty\"}]", "middleware.py", CHATTY_MIDDLEWARE);
        chattyLog = PluginTesting.captureLog("plugin.chatty");
        failures = PluginTesting.captureLog("io.polygate.plugin");
        StringBuilder apis = new StringBuilder("bundles_dir: bundles\nplugins: {hook_timeout: 20s}\napis:\n");
        for (String n : NAMES)
            apis.append("  - {api_id: ").append(n).append(", listen_path: /").append(n).append(", strip_listen_path: true, target_url: \"echo://\", auth: ")
                    .append(n.equals("redos") || n.equals("backref") ? "plugin" : "none").append(", custom_middleware_bundle: ").append(n).append("}\n");
        gw = GatewayFixture.start(apis.toString(), tmp);
        PluginTesting.awaitBundles(gw.gateway(), Duration.ofMinutes(3), NAMES);
    }

    /** A bundle folder: its manifest (file_list = the one file) and the file. */
    static void folder(Path dir, String driver, String hooks, String file, String code) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(file), code);
        Files.writeString(dir.resolve("manifest.json"),
                "{\"file_list\": [\"" + file + "\"], \"custom_middleware\": {\"driver\": \"" + driver + "\", " + hooks + "}}");
    }

    @AfterAll
    static void stop() {
        System.clearProperty("polygate.plugin.pool_size");
        if (gw != null) gw.close();
    }

    @Test
    void aBacktrackingIdExtractorRegexMatchesInLinearTime() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(gw.url("/redos/x")).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("a".repeat(100_000) + "!")).build();
        long start = System.nanoTime();
        HttpResponse<String> r = gw.http().send(req, HttpResponse.BodyHandlers.ofString());
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(ms).as("answered after %d ms", ms).isLessThan(5_000);
    }

    @Test
    void anIdExtractorRegexWithABackreferenceIsRefused() throws Exception {
        HttpResponse<String> r = gw.get("/backref/x");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(json(r).path("error").asText()).contains("custom_middleware.id_extractor.extractor_config.regex_expression: "
                + "not a valid RE2 regular expression (no backreferences or lookaround): invalid escape sequence: `\\1`");
    }

    @Test
    void filesOutsideFileListAreNeitherImportedNorReadable() throws Exception {
        HttpResponse<String> r = gw.get("/unlisted/x");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        var headers = json(r).path("headers");
        assertThat(headers.path("X-Json").asText()).isEqualTo("{\"ok\": true}");
        assertThat(headers.path("X-Colorsys").asText()).isEqualTo("stdlib");
        assertThat(headers.path("X-Allowed").asText()).isEqualTo("listed vendor module");
        assertThat(headers.path("X-Extra").asText()).isEqualTo("ModuleNotFoundError");
        assertThat(headers.path("X-Open").asText()).isEqualTo("FileNotFoundError");
        assertThat(headers.path("X-Listing").asText()).isEqualTo("middleware.py,vendor");
    }

    @Test
    void storeDataRefusesAValueOverTheCapWithAClearError() throws Exception {
        HttpResponse<String> atCap = gw.get("/py-data/x", "X-Size", "65536");
        assertThat(json(atCap).path("headers").path("X-Stored").asText()).as(atCap.body()).isEqualTo("65536");
        HttpResponse<String> over = gw.get("/py-data/x", "X-Size", "65537");
        assertThat(json(over).path("headers").path("X-Store-Error").asText()).as(over.body())
                .isEqualTo("tyk.store_data: the value of \"hardening-py\" is 65537 bytes, more than the 65536 a plugin may store");
        HttpResponse<String> js = gw.get("/js-data/x");
        assertThat(js.statusCode()).as(js.body()).isEqualTo(500);
        assertThat(PluginTesting.logged(failures, "tyk.store_data: the value of \"hardening-js\" is 70001 bytes, more than the 65536")).isTrue();
    }

    @Test
    void guestLogLinesAreRateLimitedWithADroppedCount() throws Exception {
        long start = System.nanoTime();
        assertThat(gw.get("/chatty/x", "X-Lines", "5000").statusCode()).isEqualTo(200);
        long seconds = (System.nanoTime() - start) / 1_000_000_000L + 1;
        Thread.sleep(1_100);
        assertThat(gw.get("/chatty/x", "X-Lines", "0").statusCode()).isEqualTo(200);
        assertThat(gw.get("/chatty/x", "X-Lines", "1").statusCode()).isEqualTo(200);
        List<ILoggingEvent> events;
        synchronized (chattyLog.list) {
            events = List.copyOf(chattyLog.list);
        }
        long lines = events.stream().filter(e -> e.getFormattedMessage().contains("chatty line")).count() - 2;
        long dropped = events.stream().filter(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains("guest log lines dropped"))
                .mapToLong(e -> Long.parseLong(e.getFormattedMessage().split(" ")[0])).sum();
        // the budget is per calendar second: a loop of `seconds` may touch one second more
        assertThat(lines).as("lines logged in %d s", seconds).isBetween(1L, 100L * (seconds + 1));
        assertThat(lines + dropped).isEqualTo(10_000);
    }
}
