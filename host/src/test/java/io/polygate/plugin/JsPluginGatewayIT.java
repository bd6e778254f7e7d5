package io.polygate.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** JavaScript (GraalJS) plugins through the real gateway; see {@link PluginGatewayContract}. */
class JsPluginGatewayIT extends PluginGatewayContract {
    @Override String lang() { return "js"; }

    @Override String samples() { return "samples/js"; }

    @Override
    boolean languageSpecificHeaders(JsonNode h) {
        // the Tyk JSVM-style middleware ran, with b64enc/b64dec
        return h.path("X-Jsvm").asText().equals("jsvm-ok");
    }

    @Test
    void sandboxRefusesJavaTypeLookup() throws Exception {
        assertThat(probe("java")).isEqualTo("refused: ReferenceError: Java is not defined");
    }

    @Test
    void sandboxRefusesPolyglotEval() throws Exception {
        assertThat(probe("polyglot")).isEqualTo("refused: ReferenceError: Polyglot is not defined");
    }

    @Test
    void sandboxRefusesFileLoadAndRequire() throws Exception {
        assertThat(probe("load")).startsWith("refused:");
        assertThat(probe("require")).startsWith("refused: ReferenceError");
    }
}
