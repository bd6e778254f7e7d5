package io.polygate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.BundleZips;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user types it: exit statuses, messages and hints; nothing here starts a gateway. */
class PolygateCliTest {
    @TempDir Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) {
        return PolygateCli.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), env)
                .execute(args);
    }

    private int run(String... args) { return run(Map.of(), args); }

    private String out() { return out.toString(StandardCharsets.UTF_8); }

    private String err() { return err.toString(StandardCharsets.UTF_8); }

    @Test
    void aMistypedOptionIsRefusedWithTheNearestOneInsteadOfStartingTheDemo() {
        int code = run("start", "--confg", "prod.yaml");

        assertThat(code).isEqualTo(2);
        assertThat(err()).isEqualTo("""
                polygate start: Unknown options: '--confg', 'prod.yaml'
                Did you mean --config?
                Try 'polygate start --help' for more information.
                """);
    }

    @Test
    void anOptionWithoutItsValueIsAUsageError() {
        assertThat(run("check", "--config")).isEqualTo(2);
        assertThat(err()).startsWith("polygate check: Missing required parameter for option '--config' (FILE)\n")
                .endsWith("Try 'polygate check --help' for more information.\n");
    }

    @Test
    void aMistypedCommandGetsASuggestion() {
        assertThat(run("strat")).isEqualTo(2);
        assertThat(err()).contains("Unmatched argument at index 0: 'strat'").contains("Did you mean start?");
    }

    @Test
    void noCommandIsAUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(err()).startsWith("polygate: Missing required subcommand");
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] command : new String[][] {{"start"}, {"check"}, {"version"}, {"echo"}, {"plugin", "run"}, {"bundle", "build"},
                {"bundle", "push"}, {"bundle", "verify"}}) {
            out.reset();
            String[] args = java.util.Arrays.copyOf(command, command.length + 1);
            args[command.length] = "--help";
            assertThat(run(args)).as(String.join(" ", args)).isZero();
            assertThat(out()).startsWith("Usage: polygate " + String.join(" ", command));
        }
    }

    @Test
    void aConfigFileThatDoesNotExistIsAnErrorNotTheDemoConfig() {
        Path missing = dir.resolve("prod.yaml");

        assertThat(run("start", "--config", missing.toString())).isEqualTo(1);
        assertThat(err()).isEqualTo("polygate: the config has an error, nothing was started: " + missing + ": no such file\n");
    }

    @Test
    void startRefusesAConfigKeyTypoAndStartsNothing() throws Exception {
        Path config = Files.writeString(dir.resolve("polygate.yaml"), "admin: {secret: s}\nstorage: {typ: redis}\n");

        assertThat(run(Map.of("POLYGATE_CONFIG", config.toString()), "start")).isEqualTo(1);
        assertThat(err()).isEqualTo("polygate: the config has an error, nothing was started: storage.typ: unknown key (did you mean \"type\"?)\n");
    }

    @Test
    void versionNamesTheGatewayTheJdkAndGraalVm() {
        assertThat(run("version")).isZero();
        String[] lines = out().split("\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).matches("polygate \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit ([0-9a-f]{7,40}|unknown)\\)");
        assertThat(lines[1]).startsWith("JDK " + Runtime.version());
        assertThat(lines[2]).matches("GraalVM polyglot \\d+\\.\\d+\\.\\d+.*");
        out.reset();
        assertThat(run("--version")).isZero();
        assertThat(out()).isEqualTo(String.join("\n", lines) + "\n");
    }

    @Test
    void checkNeedsAConfig() {
        assertThat(run("check")).isEqualTo(2);
        assertThat(err()).startsWith("polygate check: which config? (--config FILE, or set POLYGATE_CONFIG)\n");
    }

    @Test
    void checkListsEveryProblemOfTheConfigItsApisAndItsBundles() throws Exception {
        Files.createDirectories(dir.resolve("bundles/missing-file"));
        Files.writeString(dir.resolve("bundles/missing-file/manifest.json"),
                "{\"file_list\": [\"middleware.py\"], \"custom_middleware\": {\"driver\": \"python\", \"pre\": [{\"name\": \"Pre\"}]}}");
        Files.write(dir.resolve("bundles/broken.zip"), "not a zip".getBytes(StandardCharsets.UTF_8));
        Path config = Files.writeString(dir.resolve("polygate.yaml"), """
                admin: {secret: s}
                listen_prot: 8080
                apis:
                  - {api_id: a, listen_path: /a/, target_url: "not a url", auth: none}
                """);

        assertThat(run("check", "--config", config.toString())).isEqualTo(1);

        assertThat(err()).startsWith("polygate check: " + config + ": 4 problems:\n")
                .contains("  listen_prot: unknown key (did you mean \"listen_port\"?)\n")
                .contains("  apis[0].target_url: not a URL: \"not a url\"")
                .contains("  " + dir.resolve("bundles/broken.zip") + ": bundle \"broken\": ")
                .contains("  " + dir.resolve("bundles/missing-file") + ": bundle \"missing-file\": ");
        assertThat(out()).isEmpty();
    }

    @Test
    void checkPassesAGoodConfigAndBundle() throws Exception {
        Files.createDirectories(dir.resolve("bundles"));
        Files.write(dir.resolve("bundles/good.zip"), BundleZips.build(BundleZips.files(
                "{\"file_list\": [\"middleware.py\"], \"custom_middleware\": {\"driver\": \"python\", \"pre\": [{\"name\": \"Pre\"}]}}",
                "middleware.py", "from tyk.decorators import *\n"), null));
        Path config = Files.writeString(dir.resolve("polygate.yaml"), """
                admin: {secret: s}
                apis_dir: apis
                apis:
                  - {api_id: a, listen_path: /a/, target_url: "echo://", auth: none, custom_middleware_bundle: good}
                """);

        assertThat(run("check", "--config", config.toString())).as(err()).isZero();
        assertThat(dir.resolve("apis")).as("check writes nothing").doesNotExist();
        assertThat(out()).isEqualTo("polygate check: " + config + ": the config, its APIs and the bundles in " + dir.resolve("bundles") + " are valid\n");
    }

    @Test
    void pluginRunNeedsARequest() {
        assertThat(run("plugin", "run", "bundle-dir", "Hook")).isEqualTo(2);
        assertThat(err()).startsWith("polygate plugin run: Missing required option: '--request=FILE'\n");
    }
}
