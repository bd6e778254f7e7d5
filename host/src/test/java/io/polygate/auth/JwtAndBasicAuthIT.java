package io.polygate.auth;

import static io.polygate.testing.GatewayFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.polygate.testing.GatewayFixture;
import io.polygate.testing.LoopbackUpstream;
import io.polygate.testing.RedisServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * JWT and basic auth on one real gateway with a real redis-server: tokens signed in the test with
 * keys made in the test (HS256, RS256 from a PEM, ES256, and RS256 from a JWKS served by a Jetty
 * server in the test, whose key is rotated), policies named by a claim limiting the identity,
 * {@code $authn.sub} keying an API limit, basic auth users created through Tyk's key API, and an
 * API accepting either. Each test uses identities of its own, so counters never meet.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JwtAndBasicAuthIT {
    static RedisServer redis;
    static LoopbackUpstream jwksServer;
    static GatewayFixture gw;
    static final AtomicReference<String> JWKS = new AtomicReference<>();
    static final AtomicInteger JWKS_FETCHES = new AtomicInteger();
    static byte[] secret = new byte[32];
    static RSAKey rsa, jwksKey1, jwksKey2;
    static ECKey ec;

    @BeforeAll
    static void start() throws Exception {
        new SecureRandom().nextBytes(secret);
        rsa = new RSAKeyGenerator(2048).generate();
        ec = new ECKeyGenerator(Curve.P_256).generate();
        jwksKey1 = new RSAKeyGenerator(2048).keyID("k1").generate();
        jwksKey2 = new RSAKeyGenerator(2048).keyID("k2").generate();
        JWKS.set(new JWKSet(jwksKey1.toPublicJWK()).toString());
        jwksServer = LoopbackUpstream.start(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                JWKS_FETCHES.incrementAndGet();
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                Content.Sink.write(response, true, JWKS.get(), callback);
                return true;
            }
        });
        redis = RedisServer.start();
        String hmac = b64(secret);
        gw = GatewayFixture.start("""
                storage: {type: redis, redis_uri: "%s"}
                apis:
                  - {api_id: hs, listen_path: /hs, target_url: "echo://", auth: jwt, jwt_signing_method: hmac,
                     jwt_source: "%s", jwt_policy_field_name: pol}
                  - {api_id: rs, listen_path: /rs, target_url: "echo://", auth: jwt, jwt_signing_method: rsa,
                     jwt_source: "%s", jwt_identity_base_field: user_id, jwt_default_policies: [open]}
                  - {api_id: es, listen_path: /es, target_url: "echo://", enable_jwt: true, jwt_signing_method: ecdsa,
                     jwt_source: "%s", jwt_default_policies: [open], jwt_expires_at_validation_skew: 600}
                  - {api_id: jwks, listen_path: /jwks, target_url: "echo://", auth: jwt, jwt_signing_method: rsa,
                     jwt_source: "http://127.0.0.1:%d/.well-known/jwks.json", jwt_default_policies: [open]}
                  - {api_id: by-sub, listen_path: /by-sub, target_url: "echo://", auth: jwt, jwt_signing_method: hmac,
                     jwt_source: "%s", jwt_default_policies: [open], global_rate_limit: {rate: 2, per: 60, key: "$authn.sub"}}
                  - {api_id: basic, name: Basic Orders, listen_path: /basic, target_url: "echo://", use_basic_auth: true}
                  - {api_id: either, name: Either, listen_path: /either, target_url: "echo://", auth: [jwt, basic],
                     jwt_signing_method: hmac, jwt_source: "%s", jwt_default_policies: [open]}
                  - {api_id: jwks-down, listen_path: /jwks-down, target_url: "echo://", auth: jwt, jwt_signing_method: rsa,
                     jwt_source: "http://127.0.0.1:%d/jwks.json", jwt_default_policies: [open], jwt_jwks: {fetch_timeout: 1s}}
                  - {api_id: maybe, name: Maybe, listen_path: /maybe, target_url: "echo://", use_keyless: true, use_standard_auth: true,
                     use_basic_auth: true, base_identity_provided_by: basic_auth_user}
                """.formatted(redis.uri(), hmac, b64(pem(rsa.toPublicKey())), b64(pem(ec.toPublicKey())), jwksServer.port(), hmac, hmac,
                closedPort()));
        policy("""
                {"id": "open", "rate": 1000, "per": 1, "access_rights": {"hs": {}, "rs": {}, "es": {}, "jwks": {}, "by-sub": {}, "either": {}, "jwks-down": {}}}""");
        policy("""
                {"id": "gold", "rate": 3, "per": 60, "access_rights": {"hs": {}}}""");
        policy("""
                {"id": "elsewhere", "rate": 1000, "per": 1, "access_rights": {"rs": {}}}""");
    }

    @AfterAll
    static void stop() throws Exception {
        if (gw != null) gw.close();
        if (jwksServer != null) jwksServer.close();
        if (redis != null) redis.close();
    }

    // ---- JWT -------------------------------------------------------------------------------------

    @Test
    void hs256Rs256AndEs256TokensAreTakenAndTheirClaimsReachTheLimits() throws Exception {
        assertThat(call("/hs/a", hs256(c -> c.subject("hs-user").claim("pol", "open")))).isEqualTo(200);
        assertThat(call("/rs/a", sign(JWSAlgorithm.RS256, new RSASSASigner(rsa), null, c -> c.claim("user_id", "rs-user")))).isEqualTo(200);
        assertThat(call("/es/a", sign(JWSAlgorithm.ES256, new ECDSASigner(ec), null, c -> c.subject("es-user")))).isEqualTo(200);
        HttpResponse<String> echoed = gw.get("/hs/a", "Authorization", "Bearer " + hs256(c -> c.subject("hs-user").claim("pol", "open")));
        assertThat(json(echoed).path("headers").toString()).as("the token still goes upstream").contains("Bearer ");
    }

    @Test
    void aPolicyNamedByTheTokenLimitsItsIdentityAcrossTokens() throws Exception {
        for (int i = 0; i < 3; i++)
            assertThat(call("/hs/a", hs256(c -> c.subject("gold-user").claim("pol", "gold").jwtID("t" + Math.random())))).isEqualTo(200);
        HttpResponse<String> over = gw.get("/hs/a", "Authorization", "Bearer " + hs256(c -> c.subject("gold-user").claim("pol", "gold")));
        assertThat(over.statusCode()).as(over.body()).isEqualTo(429);
        assertThat(over.headers().firstValue("X-RateLimit-Limit")).hasValue("3");
        assertThat(call("/hs/a", hs256(c -> c.subject("other-gold-user").claim("pol", java.util.List.of("gold")))))
                .as("another identity has its own allowance").isEqualTo(200);
    }

    @Test
    void aPolicyThatIsMissingOrDoesNotGrantTheApiIsRefused() throws Exception {
        assertError(gw.get("/hs/a", "Authorization", hs256(c -> c.subject("nopol"))), 403, "Key not authorized: no matching policy found");
        assertError(gw.get("/hs/a", "Authorization", hs256(c -> c.subject("nopol").claim("pol", "no-such"))), 403, "Key not authorized: no matching policy found");
        assertError(gw.get("/hs/a", "Authorization", hs256(c -> c.subject("nopol").claim("pol", "elsewhere"))), 403, "Access to this API has been disallowed");
        assertError(gw.get("/hs/a", "Authorization", hs256(c -> c.claim("pol", "open"))), 403, "Key not authorized: no identity claim in the token");
    }

    @Test
    void authnSubKeysAnApiLimitPerCaller() throws Exception {
        for (int i = 0; i < 2; i++) assertThat(call("/by-sub/a", hs256(c -> c.subject("alice")))).isEqualTo(200);
        assertThat(call("/by-sub/a", hs256(c -> c.subject("alice")))).isEqualTo(429);
        assertThat(call("/by-sub/a", hs256(c -> c.subject("bob")))).as("bob's counter is his own").isEqualTo(200);
    }

    @Test
    void expiredNotYetValidTamperedUnsignedAndWronglySignedTokensAreRefused() throws Exception {
        Instant now = Instant.now();
        assertError(gw.get("/hs/a", "Authorization", hs256(c -> c.subject("x").claim("pol", "open").expirationTime(Date.from(now.minusSeconds(60))))),
                401, "Key has expired, please renew");
        assertThat(call("/es/a", sign(JWSAlgorithm.ES256, new ECDSASigner(ec), null, c -> c.subject("es-skew").expirationTime(Date.from(now.minusSeconds(60))))))
                .as("within jwt_expires_at_validation_skew (600 s)").isEqualTo(200);
        assertError(gw.get("/hs/a", "Authorization", hs256(c -> c.subject("x").claim("pol", "open").notBeforeTime(Date.from(now.plusSeconds(3600))))),
                401, "Key not authorized: token is not valid yet");
        assertError(gw.get("/hs/a", "Authorization", hs256(c -> c.subject("x").claim("pol", "open").issueTime(Date.from(now.plusSeconds(3600))))),
                401, "Key not authorized: token used before issued");

        String[] parts = hs256(c -> c.subject("x").claim("pol", "gold")).split("\\.");
        String tamperedPayload = b64url(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace("gold", "open"));
        assertError(gw.get("/hs/a", "Authorization", parts[0] + "." + tamperedPayload + "." + parts[2]), 403, "Key not authorized");

        String none = new PlainJWT(new JWTClaimsSet.Builder().subject("x").claim("pol", "open").build()).serialize();
        assertError(gw.get("/hs/a", "Authorization", none), 403, "Key not authorized: Unexpected signing method");
        assertError(gw.get("/rs/a", "Authorization", hs256(c -> c.claim("user_id", "x"))), 403, "Key not authorized: Unexpected signing method");
        RSAKey stranger = new RSAKeyGenerator(2048).generate();
        assertError(gw.get("/rs/a", "Authorization", sign(JWSAlgorithm.RS256, new RSASSASigner(stranger), null, c -> c.claim("user_id", "x"))),
                403, "Key not authorized");
        assertError(gw.get("/hs/a", "Authorization", "not-a-token"), 403, "Key not authorized");
        assertError(gw.get("/hs/a"), 401, "Authorization field missing");
    }

    @Test
    void aJwksIsFetchedOnceAndARotatedKeyIsPickedUp() throws Exception {
        int before = JWKS_FETCHES.get();
        for (int i = 0; i < 3; i++)
            assertThat(call("/jwks/a", sign(JWSAlgorithm.RS256, new RSASSASigner(jwksKey1), "k1", c -> c.subject("jwks-user")))).isEqualTo(200);
        assertThat(JWKS_FETCHES.get() - before).as("cached").isEqualTo(1);

        JWKS.set(new JWKSet(jwksKey2.toPublicJWK()).toString()); // the issuer rotates to k2
        assertThat(call("/jwks/a", sign(JWSAlgorithm.RS256, new RSASSASigner(jwksKey2), "k2", c -> c.subject("jwks-user")))).isEqualTo(200);
        assertThat(JWKS_FETCHES.get() - before).as("the unknown kid fetched the set again").isEqualTo(2);
        assertThat(call("/jwks/a", sign(JWSAlgorithm.RS256, new RSASSASigner(jwksKey1), "k1", c -> c.subject("jwks-user"))))
                .as("the retired key no longer verifies").isEqualTo(403);
    }

    @Test
    void anUnreachableJwksAnswers503() throws Exception {
        assertError(gw.get("/jwks-down/a", "Authorization", sign(JWSAlgorithm.RS256, new RSASSASigner(jwksKey1), "k1", c -> c.subject("down-user"))),
                503, "Key not authorized: the keys to check the token could not be fetched");
    }

    // ---- basic auth ------------------------------------------------------------------------------

    @Test
    void basicAuthUsersCreatedThroughTheKeyApiGetInWithTheirPasswordAndAreLimitedPerUser() throws Exception {
        user("carol", "s3cret-carol", "basic");
        user("dave", "s3cret-dave", "basic");
        HttpResponse<String> stored = gw.admin("GET", "/keys/carol", null);
        assertThat(json(stored).path("basic_auth_data").path("hash_type").asText()).isEqualTo("bcrypt");
        assertThat(json(stored).path("basic_auth_data").path("password").asText()).startsWith("$2a$10$").doesNotContain("s3cret");

        assertThat(basic("/basic/a", "carol", "s3cret-carol").statusCode()).isEqualTo(200);
        HttpResponse<String> wrong = basic("/basic/a", "carol", "guess");
        assertError(wrong, 401, "User not authorised");
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"Basic Orders\"");
        assertError(basic("/basic/a", "nobody", "s3cret-carol"), 401, "User not authorised");
        HttpResponse<String> missing = gw.get("/basic/a");
        assertError(missing, 401, "Authorization field missing");
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"Basic Orders\"");
        assertError(gw.get("/basic/a", "Authorization", "Basic !!!"), 400, BasicAuthStep.MALFORMED);

        assertThat(basic("/basic/a", "carol", "s3cret-carol").statusCode()).isEqualTo(200);
        assertThat(basic("/basic/a", "carol", "s3cret-carol").statusCode()).as("rate 2 per 60 s").isEqualTo(429);
        assertThat(basic("/basic/a", "dave", "s3cret-dave").statusCode()).as("dave's allowance is his own").isEqualTo(200);

        HttpResponse<String> changed = gw.admin("PUT", "/keys/dave", """
                {"rate": 2, "per": 60, "access_rights": {"basic": {"api_id": "basic"}}, "basic_auth_data": {"password": "new-dave"}}""");
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
        assertError(basic("/basic/a", "dave", "s3cret-dave"), 401, "User not authorised"); // verified a moment ago, but changed since
        assertThat(basic("/basic/a", "dave", "new-dave").statusCode()).as("PUT keeps a password with an empty hash_type as it is").isEqualTo(200);
    }

    // ---- several methods ---------------------------------------------------------------------------

    @Test
    void anApiWithJwtAndBasicTakesEitherAndAnswersTheFailureThatExplainsMost() throws Exception {
        user("erin", "s3cret-erin", "either");
        assertThat(call("/either/a", hs256(c -> c.subject("either-user")))).isEqualTo(200);
        assertThat(basic("/either/a", "erin", "s3cret-erin").statusCode()).isEqualTo(200);

        HttpResponse<String> nothing = gw.get("/either/a");
        assertError(nothing, 401, "Authorization field missing");
        assertThat(nothing.headers().firstValue("WWW-Authenticate")).as("basic auth is one way in").hasValue("Basic realm=\"Either\"");
        assertError(basic("/either/a", "erin", "guess"), 401, "User not authorised");
        assertError(gw.get("/either/a", "Authorization", hs256(c -> c.subject("either-user").expirationTime(Date.from(Instant.now().minusSeconds(60))))),
                401, "Key has expired, please renew");
    }

    @Test
    void withKeylessLastARequestWithoutCredentialGoesOnButABadCredentialIsStillRefused() throws Exception {
        user("frank", "s3cret-frank", "maybe");
        assertThat(gw.get("/maybe/a").statusCode()).as("no credential: keyless").isEqualTo(200);
        assertThat(basic("/maybe/a", "frank", "s3cret-frank").statusCode()).isEqualTo(200);
        assertError(basic("/maybe/a", "frank", "guess"), 401, "User not authorised");
        assertError(gw.get("/maybe/a", "Authorization", "no-such-key"), 403, "Access to this API has been disallowed");
        assertThat(basic("/maybe/a", "frank", "s3cret-frank").statusCode()).isEqualTo(200);
        assertThat(basic("/maybe/a", "frank", "s3cret-frank").statusCode()).as("frank's own limit, 2 per 60 s, applies").isEqualTo(429);
    }

    // ---- helpers -----------------------------------------------------------------------------------

    static void policy(String body) throws Exception {
        HttpResponse<String> r = gw.admin("POST", "/policies", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    /** A basic auth user as Tyk creates one: {@code POST /tyk/keys/<username>} with the password in plain text. */
    static void user(String name, String password, String apiId) throws Exception {
        HttpResponse<String> r = gw.admin("POST", "/tyk/keys/" + name, """
                {"rate": 2, "per": 60, "access_rights": {"%s": {"api_id": "%s"}}, "basic_auth_data": {"password": "%s"}}"""
                .formatted(apiId, apiId, password));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    static HttpResponse<String> basic(String path, String user, String password) throws Exception {
        return gw.get(path, "Authorization", "Basic " + b64(user + ":" + password));
    }

    static int call(String path, String token) throws Exception {
        HttpResponse<String> r = gw.get(path, "Authorization", "Bearer " + token);
        return r.statusCode();
    }

    static void assertError(HttpResponse<String> r, int status, String message) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(json(r).path("error").asText()).isEqualTo(message);
    }

    static String hs256(Consumer<JWTClaimsSet.Builder> claims) throws Exception {
        return sign(JWSAlgorithm.HS256, new MACSigner(secret), null, claims);
    }

    static String sign(JWSAlgorithm alg, JWSSigner signer, String kid, Consumer<JWTClaimsSet.Builder> claims) throws Exception {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(300)));
        claims.accept(b);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).type(JOSEObjectType.JWT).keyID(kid).build(), b.build());
        jwt.sign(signer);
        return jwt.serialize();
    }

    /** A loopback port nothing listens on (it was free a moment ago). */
    static int closedPort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    static String b64(byte[] b) { return Base64.getEncoder().encodeToString(b); }

    static String b64(String s) { return b64(s.getBytes(StandardCharsets.UTF_8)); }

    static String b64url(String s) { return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8)); }
}
