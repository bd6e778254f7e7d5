package io.polygate.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.sdk.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The access log's lines, written to a real file by its writer thread. */
@Timeout(30)
class AccessLogTest {
    private static final Instant AT = Instant.parse("2026-12-02T14:00:00.123Z");

    private static AccessEntry entry(String requestId, String query, String clientIp) {
        return new AccessEntry(AT, requestId, "demo", "GET", "/demo/a b", query, 200, 5, 42, 1_234_567, 1_000_000, clientIp, null);
    }

    @Test
    void writesOneJsonLinePerRequestWithTheQueryValuesLeftOut(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        try (AccessLog log = AccessLog.open(file, false, false)) {
            log.write(entry("r1", "token=abc&page=2&flag", "127.0.0.1"));
            log.write(entry("r2", null, "::1"));
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        JsonNode first = Json.MAPPER.readTree(lines.get(0));
        assertThat(first.path("time").asText()).isEqualTo("2026-12-02T14:00:00.123Z");
        assertThat(first.path("request_id").asText()).isEqualTo("r1");
        assertThat(first.path("path").asText()).isEqualTo("/demo/a b?token=&page=&flag");
        assertThat(first.path("bytes_in").asLong()).isEqualTo(5);
        assertThat(first.path("bytes_out").asLong()).isEqualTo(42);
        assertThat(first.path("duration_ms").asDouble()).isEqualTo(1.235);
        assertThat(first.path("upstream_ms").asDouble()).isEqualTo(1.0);
        assertThat(first.path("key_hash").isNull()).isTrue();
        assertThat(Json.MAPPER.readTree(lines.get(1)).path("path").asText()).isEqualTo("/demo/a b");
    }

    @Test
    void keepsQueryValuesWhenAskedTo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        try (AccessLog log = AccessLog.open(file, false, true)) {
            log.write(entry("r1", "token=abc", "127.0.0.1"));
        }
        assertThat(Json.MAPPER.readTree(Files.readAllLines(file).getFirst()).path("path").asText()).isEqualTo("/demo/a b?token=abc");
    }

    @Test
    void textLinesAreKeyValuePairsWithOddValuesQuoted(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        try (AccessLog log = AccessLog.open(file, true, false)) {
            log.write(entry("id\"with quote", null, "127.0.0.1"));
        }
        assertThat(Files.readAllLines(file)).containsExactly("time=2026-12-02T14:00:00.123Z request_id=\"id\\\"with quote\" api=demo method=GET "
                + "path=\"/demo/a b\" status=200 bytes_in=5 bytes_out=42 duration_ms=1.235 upstream_ms=1.0 client_ip=127.0.0.1 key_hash=-");
    }

    @Test
    void aFileThatCannotBeWrittenIsRefusedAtOpen(@TempDir Path dir) {
        Path file = dir.resolve("no-such-dir/access.log");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AccessLog.open(dir, false, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("access_log.path: cannot write " + dir);
        assertThat(file).doesNotExist();
    }
}
