package io.polygate.gateway;

import io.polygate.testing.GatewayFixture;
import org.junit.jupiter.api.BeforeAll;

/** {@link GatewayBehaviour} with the embedded in-memory store. */
class MemoryGatewayIT extends GatewayBehaviour {
    @BeforeAll
    static void start() throws Exception {
        startUpstreams();
        gw = GatewayFixture.start(yaml("{type: memory}"));
    }
}
