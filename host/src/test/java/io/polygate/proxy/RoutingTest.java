package io.polygate.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.polygate.config.ApiDefinition;
import io.polygate.config.ApiDefinition.AuthSpec;
import io.polygate.config.ApiDefinition.AuthType;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoutingTest {
    private static Route route(String id, String lp) {
        ApiDefinition api = new ApiDefinition(id, id, lp, true, URI.create("echo:/"),
                new AuthSpec(AuthType.NONE, "Authorization"), null, 0, null, false, false, null);
        return new Route(api, List.of(), null);
    }

    @Test
    void longestListenPathWinsOnSegmentBoundaries() {
        RouteTable t = new RouteTable(List.of(route("root", "/"), route("a", "/a"), route("ab", "/a/b")));
        assertThat(t.match("/a/b/c").api().apiId()).isEqualTo("ab");
        assertThat(t.match("/a/b").api().apiId()).isEqualTo("ab");
        assertThat(t.match("/a/bc").api().apiId()).isEqualTo("a");
        assertThat(t.match("/a").api().apiId()).isEqualTo("a");
        assertThat(t.match("/ab").api().apiId()).isEqualTo("root");
        assertThat(new RouteTable(List.of(route("a", "/a"))).match("/ab")).isNull();
    }

    @Test
    void upstreamPathJoinsWithoutDoubleSlashes() {
        assertThat(UpstreamHandler.joinPath("/", "/x")).isEqualTo("/x");
        assertThat(UpstreamHandler.joinPath("/base", "/x")).isEqualTo("/base/x");
        assertThat(UpstreamHandler.joinPath("/base/", "/x")).isEqualTo("/base/x");
        assertThat(UpstreamHandler.joinPath("/base", "")).isEqualTo("/base");
        assertThat(UpstreamHandler.joinPath("", "")).isEqualTo("/");
        assertThat(UpstreamHandler.joinPath(null, "x")).isEqualTo("/x");
    }
}
