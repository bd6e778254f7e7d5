package io.polygate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.polygate.Gateway;
import io.polygate.config.ConfigLoader;
import io.polygate.config.GatewayConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A real gateway in the test JVM, on free loopback ports, from a YAML config text. Its
 * {@code listen_port}/{@code admin.port} are forced to 0 and {@code admin.secret} to
 * {@link #SECRET}. Requests go through a real HTTP client.
 */
public final class GatewayFixture implements AutoCloseable {
    public static final String SECRET = "test-secret";
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Gateway gateway;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private GatewayFixture(Gateway gateway) { this.gateway = gateway; }

    /** Starts a gateway; {@code yaml} may leave out ports and secret. {@code baseDir} resolves relative paths (bundles_dir). */
    public static GatewayFixture start(String yaml, Path baseDir) throws Exception {
        return start(yaml, baseDir, java.time.InstantSource.system());
    }

    /** A gateway whose limits, quotas and key expiry read {@code clock} (e.g. a {@link ManualClock}). */
    public static GatewayFixture start(String yaml, Path baseDir, java.time.InstantSource clock) throws Exception {
        JsonNode root = YAML.readTree(yaml);
        com.fasterxml.jackson.databind.node.ObjectNode obj = root == null || !root.isObject() ? JSON.createObjectNode() : (com.fasterxml.jackson.databind.node.ObjectNode) root;
        obj.put("host", "127.0.0.1");
        obj.put("listen_port", 0);
        com.fasterxml.jackson.databind.node.ObjectNode admin = obj.has("admin") ? (com.fasterxml.jackson.databind.node.ObjectNode) obj.get("admin") : obj.putObject("admin");
        admin.put("port", 0);
        admin.put("secret", SECRET);
        GatewayConfig config = new ConfigLoader(Map.of()).load(obj, baseDir, "test config");
        return new GatewayFixture(new Gateway(config, clock).start());
    }

    public static GatewayFixture start(String yaml) throws Exception {
        return start(yaml, Path.of("."));
    }

    public Gateway gateway() { return gateway; }

    public URI url(String path) { return URI.create("http://127.0.0.1:" + gateway.port() + path); }

    public URI adminUrl(String path) { return URI.create("http://127.0.0.1:" + gateway.adminPort() + path); }

    public HttpClient http() { return http; }

    /** GET through the gateway with the given header name/value pairs. */
    public HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(30)).GET();
        for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An admin API call with the right secret; {@code body} may be null. */
    public HttpResponse<String> admin(String method, String path, String body) throws IOException, InterruptedException {
        return adminWithSecret(SECRET, method, path, body);
    }

    public HttpResponse<String> adminWithSecret(String secret, String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(adminUrl(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (secret != null) b.header("X-Polygate-Secret", secret);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (status " + response.statusCode() + "): " + response.body(), e);
        }
    }

    @Override
    public void close() { gateway.close(); }
}
