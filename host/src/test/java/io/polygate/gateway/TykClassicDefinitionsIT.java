package io.polygate.gateway;

import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.config.ConfigException;
import io.polygate.testing.GatewayFixture;
import io.polygate.testing.PluginTesting;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Tyk Classic API definitions as Tyk exports them (every field, most at their defaults): fields
 * Polygate does not implement are ignored with one warning line, or refuse the API when serving it
 * without them would leave it more open than Tyk does (docs/configuration.md).
 */
class TykClassicDefinitionsIT {
    static GatewayFixture gw;
    static ListAppender<ILoggingEvent> warnings;

    @BeforeAll
    static void start() throws Exception {
        warnings = PluginTesting.captureLog("io.polygate.config.ApiDefinitions");
        ObjectNode used = classic("classic-used", "/classic-used/", api -> {
            api.put("listen_port", 8443);
            ((ObjectNode) api.get("proxy")).put("preserve_host_header", true);
            ((ObjectNode) api.at("/version_data/versions/Default/extended_paths")).putArray("url_rewrites").addObject().put("path", "/a");
            api.put("enable_ip_whitelisting", true); // with no allowed_ips Tyk checks nothing either
        });
        gw = GatewayFixture.start(config(classic("classic", "/classic/", api -> { }), used));
    }

    @AfterAll
    static void stop() {
        if (gw != null) gw.close();
    }

    /** The Tyk Classic export in test resources, with its id and listen path set and {@code change} applied. */
    static ObjectNode classic(String apiId, String listenPath, Consumer<ObjectNode> change) throws Exception {
        try (InputStream in = TykClassicDefinitionsIT.class.getResourceAsStream("/tyk/classic-api.json")) {
            ObjectNode api = (ObjectNode) GatewayFixture.JSON.readTree(in);
            api.put("api_id", apiId);
            ((ObjectNode) api.get("proxy")).put("listen_path", listenPath);
            change.accept(api);
            return api;
        }
    }

    static String config(ObjectNode... apis) {
        ObjectNode root = GatewayFixture.JSON.createObjectNode();
        ArrayNode list = root.putArray("apis");
        for (ObjectNode api : apis) list.add(api);
        return root.toString();
    }

    static HttpResponse<String> tyk(String method, String path, String body) throws Exception {
        return gw.http().send(HttpRequest.newBuilder(gw.adminUrl(path))
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .header("X-Tyk-Authorization", GatewayFixture.SECRET).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void exportWithEveryFieldAtItsDefaultLoadsWithoutWarningAndReadsTheKeyFromAuthConfigs() throws Exception {
        assertThat(PluginTesting.logged(warnings, "API \"classic\":")).as("no field of the plain export is in use").isFalse();
        gw.admin("POST", "/keys/classic-key", "{\"access_rights\": {\"classic\": {}}}");
        // Tyk reads auth_configs.authToken before the deprecated auth section
        assertThat(gw.get("/classic/x", "X-Api-Key", "classic-key").statusCode()).isEqualTo(200);
        assertThat(gw.get("/classic/x", "Authorization", "classic-key").statusCode()).isEqualTo(401);
    }

    @Test
    void unsupportedFieldsInUseAreIgnoredWithOneWarningLineNamingEach() throws Exception {
        List<String> lines;
        synchronized (warnings.list) {
            lines = warnings.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.startsWith("API \"classic-used\"")).toList();
        }
        assertThat(lines).containsExactly("API \"classic-used\": Tyk Classic fields Polygate does not support are ignored: "
                + "listen_port, proxy.preserve_host_header, version_data.versions.Default.extended_paths.url_rewrites"
                + " (docs/configuration.md)");
        assertThat(gw.get("/classic-used/x", "X-Api-Key", "none").statusCode()).as("still needs a key").isEqualTo(403);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "enable_jwt                  | /enable_jwt=true                                            | JWT authentication",
            "use_basic_auth              | /use_basic_auth=true                                        | basic authentication",
            "use_mutual_tls_auth         | /use_mutual_tls_auth=true                                   | mutual TLS authentication",
            "use_oauth2                  | /use_oauth2=true                                            | OAuth 2.0 authentication",
            "use_openid                  | /use_openid=true                                            | OpenID Connect authentication",
            "external_oauth.enabled      | /external_oauth/enabled=true                                | external OAuth authentication",
            "enable_signature_checking   | /enable_signature_checking=true                             | HMAC request signature authentication",
            "use_go_plugin_auth          | /use_go_plugin_auth=true                                    | Go plugin authentication",
            "version_data.versions.Default.paths.white_list | /version_data/versions/Default/paths/white_list=/only  | a path allow list",
            "version_data.versions.Default.paths.black_list | /version_data/versions/Default/paths/black_list=/admin | a path block list",
            "version_data.versions.Default.extended_paths.black_list | /version_data/versions/Default/extended_paths/black_list=/admin | a path block list",
            "version_data.versions.Default.extended_paths.internal | /version_data/versions/Default/extended_paths/internal=/i | endpoints reachable only from other APIs",
            "active                      | /active=false                                               | a deactivated API",
            "custom_middleware           | /custom_middleware/pre=Hook                                 | plugin hooks outside a bundle"})
    void fieldWhoseAbsenceWouldWeakenSecurityRefusesTheApiAtStart(String field, String settings, String what) throws Exception {
        ObjectNode api = classic("refused", "/refused/", a -> set(a, settings));
        assertThatThrownBy(() -> GatewayFixture.start(config(api)).close())
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).singleElement().asString()
                        .startsWith("apis[0]." + field + ": API \"refused\" uses " + what)
                        .endsWith(", which Polygate does not support; the API is refused rather than served without it"));
    }

    /** Applies {@code /json/pointer=value} pairs; a value of true/false is a boolean, a list field gets a one-element list. */
    static void set(ObjectNode api, String settings) {
        for (String setting : settings.split(",")) {
            String pointer = setting.substring(0, setting.indexOf('='));
            String value = setting.substring(setting.indexOf('=') + 1);
            ObjectNode parent = (ObjectNode) api.at(pointer.substring(0, pointer.lastIndexOf('/')));
            String field = pointer.substring(pointer.lastIndexOf('/') + 1);
            if (value.equals("true") || value.equals("false")) parent.put(field, Boolean.parseBoolean(value));
            else if (parent.path(field).isArray() || parent.path(field).isMissingNode()) parent.putArray(field).add(value);
            else parent.put(field, value);
        }
    }

    @Test
    void ipListsSwitchedOffByIpAccessControlDisabledAreNotEnforced() throws Exception {
        ObjectNode api = classic("ip-off", "/ip-off/", a -> {
            set(a, "/enable_ip_whitelisting=true,/allowed_ips=10.0.0.1,/use_keyless=true,/ip_access_control_disabled=true");
        });
        HttpResponse<String> r = gw.admin("POST", "/apis", api.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(gw.get("/ip-off/x").statusCode()).as("127.0.0.1 is not on the list, which is off").isEqualTo(200);
        assertThat(gw.admin("DELETE", "/apis/ip-off", null).statusCode()).isEqualTo(200);
    }

    @Test
    void refusedFieldThroughTheAdminApiIs400NamingTheApiAndTheFieldAndChangesNothing() throws Exception {
        ObjectNode api = classic("jwt-api", "/jwt-api/", a -> a.put("enable_jwt", true));
        HttpResponse<String> own = gw.admin("POST", "/apis", api.toString());
        assertThat(own.statusCode()).isEqualTo(400);
        assertThat(json(own).path("errors").get(0).asText()).startsWith("enable_jwt: API \"jwt-api\" uses JWT authentication");

        HttpResponse<String> viaTyk = tyk("POST", "/tyk/apis", api.toString());
        assertThat(viaTyk.statusCode()).isEqualTo(400);
        assertThat(json(viaTyk).path("status").asText()).isEqualTo("error");
        assertThat(json(viaTyk).path("message").asText()).contains("enable_jwt: API \"jwt-api\" uses JWT authentication");

        assertThat(gw.admin("GET", "/apis/jwt-api", null).statusCode()).isEqualTo(404);
        assertThat(gw.get("/jwt-api/x").statusCode()).isEqualTo(404);
    }

    @Test
    void pluginAuthWithItsBundleDisabledIsRefusedRatherThanServedOpen() throws Exception {
        ObjectNode api = classic("auth-off", "/auth-off/", a -> {
            a.put("enable_coprocess_auth", true);
            a.put("use_standard_auth", false);
            a.put("custom_middleware_bundle", "auth-bundle");
            a.put("custom_middleware_bundle_disabled", true);
        });
        HttpResponse<String> r = gw.admin("POST", "/apis", api.toString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).path("errors").get(0).asText())
                .isEqualTo("custom_middleware_bundle_disabled: true leaves the plugin auth (auth_check hook) of API \"auth-off\" without its bundle;"
                        + " the API is refused rather than served without authentication");
    }
}
