package io.polygate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.BundleZips;
import io.polygate.testing.CommandLineProcess;
import io.polygate.testing.CommandLineProcess.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code polygate check} and the command line's refusals, run as a user runs them: a JVM of their own, its exit status. */
@Timeout(180)
class CheckCommandIT {
    private static final Duration WITHIN = Duration.ofSeconds(90);
    private static final String PYTHON_MANIFEST = "{\"file_list\": [\"middleware.py\"], \"custom_middleware\": {\"driver\": \"python\", \"pre\": [{\"name\": \"Pre\"}]}}";

    @TempDir Path dir;

    @Test
    void checkListsEveryProblemAndExitsOne() throws Exception {
        Files.createDirectories(dir.resolve("apis"));
        Files.writeString(dir.resolve("apis/orders.json"), "{\"api_id\": \"orders\", \"listen_path\": \"orders\", \"target_url\": \"echo://\", \"auth\": \"none\"}");
        Files.createDirectories(dir.resolve("bundles"));
        Files.write(dir.resolve("bundles/broken.zip"), "PK not really a zip".getBytes(StandardCharsets.UTF_8));
        Files.write(dir.resolve("bundles/tampered.zip"), BundleZips.zip(Map.of(
                "manifest.json", "{\"file_list\": [\"middleware.py\"], \"custom_middleware\": {\"driver\": \"python\", \"pre\": [{\"name\": \"Pre\"}]},"
                        + " \"checksum\": \"00000000000000000000000000000000\"}",
                "middleware.py", "from tyk.decorators import *\n")));
        Path config = Files.writeString(dir.resolve("bad.yaml"), """
                admin: {secret: s}
                storage: {typ: redis}
                apis_dir: apis
                apis:
                  - {api_id: a, listen_path: /a/, target_url: "echo://", auth: magic}
                """);

        Result r = CommandLineProcess.run(WITHIN, "check", "--config", config.toString());

        assertThat(r.exitStatus()).as(r.output()).isEqualTo(1);
        assertThat(r.output()).contains("polygate check: " + config + ": 5 problems:\n")
                .contains("  storage.typ: unknown key (did you mean \"type\"?)\n")
                .contains("  apis[0].auth: \"magic\" is not one of ")
                .contains("  orders.json.listen_path: \"orders\" must be a path starting with '/'")
                .contains("  " + dir.resolve("bundles/broken.zip") + ": bundle \"broken\": ")
                .contains("  " + dir.resolve("bundles/tampered.zip") + ": bundle \"tampered\": ")
                .doesNotContain("\tat ");
    }

    @Test
    void checkOfAGoodConfigExitsZeroAndStartsNothing() throws Exception {
        Files.createDirectories(dir.resolve("bundles"));
        Files.write(dir.resolve("bundles/good.zip"), BundleZips.build(BundleZips.files(PYTHON_MANIFEST, "middleware.py", "from tyk.decorators import *\n"), null));
        Path config = Files.writeString(dir.resolve("good.yaml"), """
                admin: {secret: s}
                listen_port: 1
                apis:
                  - {api_id: a, listen_path: /a/, target_url: "echo://", auth: none, custom_middleware_bundle: good}
                """);

        Result r = CommandLineProcess.run(WITHIN, "check", "--config", config.toString());

        // listen_port 1 cannot be bound without root: an exit 0 shows nothing tried to listen
        assertThat(r.exitStatus()).as(r.output()).isZero();
        assertThat(r.output()).contains("polygate check: " + config + ": the config, its APIs and the bundles in " + dir.resolve("bundles") + " are valid");
    }

    @Test
    void aMistypedOptionExitsTwoWithAHintAndStartsNothing() throws Exception {
        Result r = CommandLineProcess.run(WITHIN, "start", "--confg", "prod.yaml");

        assertThat(r.exitStatus()).isEqualTo(2);
        assertThat(r.output()).contains("Did you mean --config?").doesNotContain("listening");
    }

    @Test
    void aMissingConfigFileIsOneLineAndExitOne() throws Exception {
        Result r = CommandLineProcess.run(WITHIN, "start", "--config", dir.resolve("prod.yaml").toString());

        assertThat(r.exitStatus()).isEqualTo(1);
        assertThat(r.output()).isEqualTo("polygate: the config has an error, nothing was started: " + dir.resolve("prod.yaml") + ": no such file\n");
    }
}
