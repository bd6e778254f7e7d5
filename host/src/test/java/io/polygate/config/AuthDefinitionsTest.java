package io.polygate.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.polygate.config.ApiDefinition.AuthType;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The auth part of API definitions: JWT fields, basic auth, several methods, each error with its path. */
class AuthDefinitionsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String SECRET = b64("0123456789abcdef0123456789abcdef");
    private static final String BASE = "{api_id: a, listen_path: /a, target_url: \"echo://\", ";

    private static ApiDefinition parse(String yaml, ConfigErrors errors) throws Exception {
        return ApiDefinitions.parse(new Node(YAML.readTree(yaml), "", errors));
    }

    private static ApiDefinition parse(String fields) throws Exception {
        ConfigErrors errors = new ConfigErrors();
        ApiDefinition api = parse(BASE + fields + "}", errors);
        assertThat(errors.list()).isEmpty();
        return api;
    }

    private static List<String> errors(String fields) throws Exception {
        ConfigErrors errors = new ConfigErrors();
        assertThat(parse(BASE + fields + "}", errors)).isNull();
        return errors.list();
    }

    @Test
    void jwtFieldsAreReadWithTykNames() throws Exception {
        ApiDefinition api = parse("auth: jwt, jwt_signing_method: hmac, jwt_source: \"" + SECRET + "\", jwt_identity_base_field: user_id, "
                + "jwt_policy_field_name: pol, jwt_default_policies: [p1, p2], jwt_expires_at_validation_skew: 5, "
                + "jwt_issued_at_validation_skew: 6, jwt_not_before_validation_skew: 7, jwt_jwks: {cache_ttl: 1m}");
        JwtSpec jwt = api.auth().jwt();
        assertThat(api.auth().methods()).containsExactly(AuthType.JWT);
        assertThat(jwt.signingMethod()).isEqualTo(JwtSpec.SigningMethod.HMAC);
        assertThat(((JwtSpec.Secret) jwt.source()).bytes()).hasSize(32);
        assertThat(jwt.identityBaseField()).isEqualTo("user_id");
        assertThat(jwt.policyFieldName()).isEqualTo("pol");
        assertThat(jwt.defaultPolicies()).containsExactly("p1", "p2");
        assertThat(List.of(jwt.expiresAtSkew(), jwt.issuedAtSkew(), jwt.notBeforeSkew()))
                .containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(6), Duration.ofSeconds(7));
        assertThat(jwt.jwks().cacheTtl()).isEqualTo(Duration.ofMinutes(1));
        assertThat(jwt.header()).isEqualTo("Authorization");
    }

    @Test
    void jwtSourceIsAJwksUrlPlainOrBase64OrAPemKey() throws Exception {
        assertThat(parse("enable_jwt: true, jwt_signing_method: rsa, jwt_source: \"https://idp.example/jwks.json\"").auth().jwt().source())
                .isEqualTo(new JwtSpec.JwksUrl(java.net.URI.create("https://idp.example/jwks.json")));
        assertThat(parse("enable_jwt: true, jwt_signing_method: rsa, jwt_source: \"" + b64("https://idp.example/jwks.json") + "\"").auth().jwt().source())
                .isInstanceOf(JwtSpec.JwksUrl.class);
        var rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic();
        assertThat(parse("enable_jwt: true, jwt_signing_method: rsa, jwt_source: \"" + b64(pem(rsa.getEncoded())) + "\"").auth().jwt().source())
                .isEqualTo(new JwtSpec.Key(rsa));
    }

    @Test
    void badJwtSettingsAreErrorsNamingTheField() throws Exception {
        assertThat(errors("auth: jwt")).containsExactly(
                "jwt_signing_method: is required",
                "jwt_source: is required with JWT auth: a JWKS URL, or the base64 of the HMAC secret or of a PEM public key");
        assertThat(errors("auth: jwt, jwt_signing_method: hs256, jwt_source: \"" + SECRET + "\"")).containsExactly(
                "jwt_signing_method: \"hs256\" is not one of hmac, rsa, ecdsa");
        assertThat(errors("auth: jwt, jwt_signing_method: hmac, jwt_source: \"not base64!\"")).containsExactly(
                "jwt_source: is neither an http(s) URL nor base64 (Tyk's jwt_source holds the base64 of the secret or PEM key)");
        assertThat(errors("auth: jwt, jwt_signing_method: hmac, jwt_source: \"" + b64("short") + "\"")).containsExactly(
                "jwt_source: the HMAC secret is 5 bytes; it must be at least 32 (256 bits, RFC 7518 section 3.2)");
        assertThat(errors("auth: jwt, jwt_signing_method: ecdsa, jwt_source: \"" + b64("no pem") + "\"")).containsExactly(
                "jwt_source: does not decode to a PEM public key or certificate (jwt_signing_method ecdsa needs an EC public key)");
        var rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic();
        assertThat(errors("auth: jwt, jwt_signing_method: ecdsa, jwt_source: \"" + b64(pem(rsa.getEncoded())) + "\"")).containsExactly(
                "jwt_source: holds RSA key, but jwt_signing_method ecdsa needs an EC public key");
        assertThat(errors("auth: jwt, jwt_signing_method: hmac, jwt_source: \"" + SECRET + "\", jwt_expires_at_validation_skew: -1, "
                + "jwt_default_policies: gold")).containsExactly(
                "jwt_default_policies: must be a list of policy ids (e.g. [\"gold\"])",
                "jwt_expires_at_validation_skew: -1 is out of range (0..2147483647)");
    }

    @Test
    void basicAuthCachesVerifiedPasswordsForCacheTtlUnlessDisabled() throws Exception {
        assertThat(parse("auth: basic").auth().basic().cacheTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(parse("use_basic_auth: true, basic_auth: {cache_ttl: 5}").auth().basic().cacheTtl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(parse("use_basic_auth: true, basic_auth: {cache_ttl: 5, disable_caching: true}").auth().basic().cacheTtl()).isZero();
        assertThat(parse("auth: key").auth().basic()).isNull();
    }

    @Test
    void severalMethodsAreTriedInTheirOrderAndBaseIdentityProvidedByGoesFirst() throws Exception {
        assertThat(parse("auth: [basic, key]").auth().methods()).containsExactly(AuthType.BASIC, AuthType.KEY);
        assertThat(parse("auth: {type: [key, none], header_name: X-Key}").auth()).satisfies(a -> {
            assertThat(a.methods()).containsExactly(AuthType.KEY, AuthType.NONE);
            assertThat(a.header()).isEqualTo("X-Key");
        });
        ApiDefinition classic = parse("use_standard_auth: true, use_basic_auth: true, enable_jwt: true, jwt_signing_method: hmac, "
                + "jwt_source: \"" + SECRET + "\", base_identity_provided_by: basic_auth_user");
        assertThat(classic.auth().methods()).containsExactly(AuthType.BASIC, AuthType.KEY, AuthType.JWT);
        assertThat(parse("use_keyless: true, use_basic_auth: true").auth().methods()).containsExactly(AuthType.BASIC, AuthType.NONE);
        assertThat(parse("use_keyless: true, enable_coprocess_auth: true").auth().methods()).as("as before: keyless wins")
                .containsExactly(AuthType.NONE);
    }

    @Test
    void combinationsThatCannotWorkAreRefused() throws Exception {
        assertThat(errors("auth: [none, key]")).containsExactly(
                "auth: \"none\" (keyless) must come last: it lets through requests that bring no credential of the methods before it");
        assertThat(errors("auth: [key, plugin], custom_middleware_bundle: b")).containsExactly(
                "auth: plugin auth (the bundle's auth_check) cannot be combined with other auth methods");
        assertThat(errors("auth: [key, key]")).containsExactly("auth: \"key\" is used more than once");
        assertThat(errors("auth: [key, oauth]")).containsExactly("auth: \"oauth\" is not one of none, key, plugin, jwt, basic");
        assertThat(errors("auth: []")).containsExactly("auth: must name at least one auth method (none, key, plugin, jwt, basic)");
        assertThat(errors("use_basic_auth: true, base_identity_provided_by: jwt_claim")).containsExactly(
                "base_identity_provided_by: \"jwt_claim\" names a method the API does not enable (it enables basic)");
    }

    private static String pem(byte[] der) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
    }

    private static String b64(String s) { return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)); }
}
