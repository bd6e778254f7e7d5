package io.polygate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.testing.GatewayFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With apis_dir, APIs changed through the admin API survive a restart; a file there supersedes the config file's entry. */
class ApiPersistenceIT {
    @Test
    void adminChangesAreWrittenToApisDirAndReloaded(@TempDir Path dir) throws Exception {
        String yaml = """
                apis_dir: apis
                apis:
                  - {api_id: fromfile, listen_path: /f, target_url: "echo://", auth: none}
                """;
        try (GatewayFixture gw = GatewayFixture.start(yaml, dir)) {
            assertThat(gw.admin("POST", "/apis", "{\"api_id\":\"added\",\"listen_path\":\"/added\",\"target_url\":\"echo://\",\"auth\":\"none\"}").statusCode()).isEqualTo(201);
            assertThat(gw.admin("PUT", "/apis/fromfile", "{\"listen_path\":\"/f2\",\"target_url\":\"echo://\",\"auth\":\"none\"}").statusCode()).isEqualTo(200);
        }
        assertThat(Files.exists(dir.resolve("apis/added.json"))).isTrue();
        try (GatewayFixture gw = GatewayFixture.start(yaml, dir)) {
            assertThat(gw.get("/added/x").statusCode()).isEqualTo(200);
            assertThat(gw.get("/f2/x").statusCode()).isEqualTo(200);
            assertThat(gw.get("/f/x").statusCode()).isEqualTo(404);
            assertThat(gw.admin("DELETE", "/apis/added", null).statusCode()).isEqualTo(200);
        }
        assertThat(Files.exists(dir.resolve("apis/added.json"))).isFalse();
    }
}
