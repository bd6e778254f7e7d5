package io.polygate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.sdk.json.Json;
import io.polygate.testing.LocalGateway;
import io.polygate.testing.TestApis;
import java.util.List;
import org.eclipse.jetty.http.HttpTester;
import org.junit.jupiter.api.Test;

/** The built-in echo upstream ({@code target_url: echo://}) on real Jetty requests. */
class EchoUpstreamTest {
    @Test
    void aQueryPairWithABrokenEscapeIsLeftOutAndTheOthersEchoed() throws Exception {
        try (LocalGateway g = LocalGateway.start()) {
            g.serve(new Route(TestApis.parse("api_id: echo\nlisten_path: /\ntarget_url: echo://"), List.of(), new EchoUpstream()));

            HttpTester.Response r = g.get("/anything?a=1&b=%zz&c=%E2%82%AC&d=%");

            assertThat(r.getStatus()).isEqualTo(200);
            JsonNode echo = Json.MAPPER.readTree(r.getContent());
            assertThat(echo.path("query").asText()).isEqualTo("a=1&b=%zz&c=%E2%82%AC&d=%");
            assertThat(echo.path("args").properties()).extracting(java.util.Map.Entry::getKey).containsExactly("a", "c");
            assertThat(echo.path("args").path("c").get(0).asText()).isEqualTo("\u20ac");
        }
    }
}
