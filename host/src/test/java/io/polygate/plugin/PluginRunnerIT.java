package io.polygate.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.PluginTesting;
import java.io.ByteArrayOutputStream;
import io.polygate.cli.PolygateCli;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code polygate plugin run}: one hook on a sample request, real runtime, no gateway (through the command line). */
class PluginRunnerIT {
    record Run(int status, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] command = new String[args.length + 1];
        command[0] = "plugin";
        System.arraycopy(args, 0, command, 1, args.length);
        int status = PolygateCli.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of()).execute(command);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Path request(String json) throws Exception {
        Path f = Files.createTempFile("req", ".json");
        Files.writeString(f, json);
        return f;
    }

    @Test
    void authHookPrintsTheSessionItBuiltAndTheToken() throws Exception {
        Path req = request("{\"method\": \"GET\", \"path\": \"/anything\", \"headers\": {\"Key\": \"foo\"}}");
        Run r = run("run", PluginTesting.repoRoot().resolve("samples/js/per-user-rate").toString(), "PerUserRateLimit",
                "--request", req.toString(), "--data", "rate:foo=15");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("hook PerUserRateLimit (auth_check) of bundle per-user-rate ran in")
                .contains("  session.rate = 15\n").contains("  session.per = 60\n")
                .contains("  metadata = {\"token\":\"foo\"}\n").contains("  auth: authenticated as key \"foo\"\n");
    }

    @Test
    void pythonBundleImportsAPackageVendoredInItsVendorFolder() throws Exception {
        Path bundle = PluginTesting.repoRoot().resolve("samples/python/yaml-rules");
        Path req = request("{\"method\": \"GET\", \"path\": \"/orders/7\"}");
        Run r = run("run", bundle.toString(), "YamlRules", "--request", req.toString());
        assertThat(r.status()).as(r.err()).isZero();
        // the rules come from rules.yaml, read through __file__ and parsed by vendor/yaml
        assertThat(r.out()).contains("  header set    X-Team: commerce\n").contains("  header set    X-Tier: 1\n");
    }

    @Test
    void outboundLookupSampleCallsTheAllowedEchoUpstreamWithTykMakeHttpRequest() throws Exception {
        try (io.polygate.proxy.EchoServer echo = new io.polygate.proxy.EchoServer("127.0.0.1", 0).start()) {
            Path bundle = PluginTesting.repoRoot().resolve("samples/js/outbound-lookup");
            Path req = request("{\"method\": \"GET\", \"path\": \"/anything\", \"headers\": {\"X-User\": \"alice\"},"
                    + " \"config_data\": {\"lookup_url\": \"http://127.0.0.1:" + echo.port() + "\"}}");
            Run allowed = run("run", bundle.toString(), "userLookup", "--request", req.toString(), "--allow-http", "127.0.0.1:" + echo.port());
            assertThat(allowed.status()).as(allowed.err()).isZero();
            assertThat(allowed.out()).contains("  header set    X-Lookup-Status: 200\n").contains("  header set    X-Lookup-Path: /users/alice\n");
            // without --allow-http the call is refused and the sample answers 502
            Run refused = run("run", bundle.toString(), "userLookup", "--request", req.toString());
            assertThat(refused.status()).as(refused.err()).isZero();
            assertThat(refused.out()).contains("return_overrides: respond 502");
        }
    }

    @Test
    void preAndResponseHooksPrintWhatTheyChanged() throws Exception {
        Path bundle = PluginTesting.repoRoot().resolve("samples/js/rewrite");
        Path req = request("{\"method\": \"GET\", \"path\": \"/items?debug=1\", \"headers\": {\"X-Internal\": \"s\"},"
                + " \"response\": {\"status_code\": 201, \"headers\": {\"Content-Type\": \"application/json\"}, \"body\": \"{}\"}}");
        Run pre = run("run", bundle.toString(), "rewrite", "--request", req.toString());
        assertThat(pre.status()).as(pre.err()).isZero();
        assertThat(pre.out()).contains("  header set    X-Rewritten-By: polygate\n").contains("  header delete X-Internal\n")
                .contains("  url    /items?debug=1 -> /v2/items?debug=1\n")
                .contains("  param set    rewritten=true\n").contains("  param delete debug\n");
        Run resp = run("run", bundle.toString(), "addServedBy", "--request", req.toString());
        assertThat(resp.status()).as(resp.err()).isZero();
        assertThat(resp.out()).contains("  response header set    X-Served-By: polygate-plugin\n")
                .contains("  response header set    X-Upstream-Status: 201\n");
    }

    @Test
    void unknownHookAndFailingHookAreReported() throws Exception {
        Path req = request("{\"path\": \"/x\", \"headers\": {\"Probe\": \"raise\"}}");
        Path guard = PluginTesting.repoRoot().resolve("host/src/test/resources/bundles/js-guard");
        Run unknown = run("run", guard.toString(), "nope", "--request", req.toString());
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).contains("bundle \"js-guard\" names no hook \"nope\" in its manifest; it has [guard (pre)]");
        Run failing = run("run", guard.toString(), "guard", "--request", req.toString());
        assertThat(failing.status()).isEqualTo(1);
        assertThat(failing.err()).contains("hook guard (pre) failed: ").contains("middleware.js line 13: Error: plugin bug on purpose");
    }
}
