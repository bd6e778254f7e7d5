package io.polygate.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.testing.GatewayFixture;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Python (GraalPy) plugins through the real gateway; see {@link PluginGatewayContract}. */
class PythonPluginGatewayIT extends PluginGatewayContract {
    @Override String lang() { return "py"; }

    @Override String samples() { return "samples/python"; }

    @Override
    boolean languageSpecificHeaders(JsonNode h) {
        // request.object.headers written directly, a sibling module, stdlib hmac/base64
        return h.path("X-Object-Header").asText().equals("set-via-object")
                && h.path("X-Digest").asText().length() == 12
                && h.path("X-B64").asText().equals("aGk=");
    }

    @Override String profileAsString(String value) { return "'" + value + "'"; }

    @Test
    void rawBodyBytesThatAreNotUtf8ReachTheUpstreamUnchanged() throws Exception {
        HttpResponse<String> r = sendQuick("POST", "/body/x", "text", "X-Body-Mode", "bytes");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode echo = GatewayFixture.json(r);
        assertThat(echo.path("headers").path("Content-Length").asText()).isEqualTo("4");
        // the echo decodes the body as UTF-8: four bytes, none of them a character of a re-encoded text
        assertThat(echo.path("body_bytes").asLong()).isEqualTo(4);
        assertThat(echo.path("body").asText()).isEqualTo("\uFFFD\u0000\uFFFD\uFFFD");
    }

    @Test
    void sandboxRefusesFileAccessOutsideTheBundle() throws Exception {
        assertThat(probe("open")).startsWith("refused: PermissionError");
    }

    @Test
    void sandboxRefusesOsSystem() throws Exception {
        assertThat(probe("os-system")).startsWith("refused: PermissionError");
        assertThat(Files.exists(Path.of("/tmp/polygate-pwned"))).isFalse();
    }

    @Test
    void sandboxRefusesImportSocketAndSubprocess() throws Exception {
        assertThat(probe("socket")).startsWith("refused: ImportError").contains("socket");
        assertThat(probe("subprocess")).startsWith("refused: ImportError").contains("subprocess");
    }

    @Test
    void sandboxRefusesHostClassLookup() throws Exception {
        assertThat(probe("java")).startsWith("refused:").contains("host lookup is not allowed");
    }

    @Test
    void sandboxRefusesPolyglotEval() throws Exception {
        assertThat(probe("polyglot")).startsWith("refused:").contains("polyglot access is not allowed");
    }

    @Test
    void sandboxRefusesThreads() throws Exception {
        assertThat(probe("thread")).isEqualTo("refused: RuntimeError: polygate sandbox: plugins may not start threads");
    }

    @Test
    void standardLibraryWorksInsideTheSandbox() throws Exception {
        assertThat(probe("stdlib")).isEqualTo("allowed: [\"bb\", \"9dd4e4\", \"eA==\", \"" + hmacSha1Prefix() + "\", true]");
    }

    private static String hmacSha1Prefix() throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
        mac.init(new javax.crypto.spec.SecretKeySpec("k".getBytes(), "HmacSHA1"));
        return java.util.HexFormat.of().formatHex(mac.doFinal("m".getBytes())).substring(0, 6);
    }
}
