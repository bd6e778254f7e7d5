package io.polygate.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import io.polygate.config.JwtSpec;
import java.net.MalformedURLException;
import java.security.Key;
import java.text.ParseException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a compact JWT with Nimbus JOSE+JWT against an API's {@link JwtSpec}: the header's
 * {@code alg} must be of the configured family ({@code none} and encrypted tokens never are),
 * the signature must verify with the configured key or the JWKS key the {@code kid} names, then
 * {@code exp}, {@code nbf} and {@code iat} are checked with their skews. A JWKS is fetched on
 * first use, kept {@link JwtSpec.Jwks#cacheTtl} and refreshed in the background shortly before it
 * expires; a token whose {@code kid} is not in the cached set fetches it again (a rotated key),
 * rate limited. A fetch waits at most {@link JwtSpec.Jwks#fetchTimeout}.
 *
 * <p>Thread-safe. {@link #verify} may block on a JWKS fetch.
 */
final class JwtVerifier {
    /** Background JWKS refreshes of every API; daemon threads, so they never hold the JVM up. */
    private static final ExecutorService REFRESHES = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("jwks-refresh-", 0).factory());
    private static final int JWKS_SIZE_LIMIT = 256 * 1024;

    /** Why a token was refused: the status and message the client gets, and for the log what exactly was wrong. */
    static final class Refusal extends Exception {
        final int status;
        final String detail;
        /** Whether the token was a JWT at all (else another auth method may know the credential). */
        final boolean recognised;

        Refusal(int status, String message, String detail, boolean recognised) {
            super(message);
            this.status = status;
            this.detail = detail;
            this.recognised = recognised;
        }
    }

    static final String NOT_AUTHORIZED = "Key not authorized";
    static final String UNEXPECTED_ALGORITHM = "Key not authorized: Unexpected signing method";
    static final String NOT_YET_VALID = "Key not authorized: token is not valid yet";
    static final String ISSUED_IN_FUTURE = "Key not authorized: token used before issued";
    static final String KEYS_UNAVAILABLE = "Key not authorized: the keys to check the token could not be fetched";

    private final Set<JWSAlgorithm> algorithms;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    JwtVerifier(JwtSpec spec, InstantSource clock) {
        this.algorithms = algorithms(spec.signingMethod());
        processor.setJWSTypeVerifier((type, context) -> { }); // Tyk checks no typ header
        processor.setJWSKeySelector(keySelector(spec));
        processor.setJWTClaimsSetVerifier(new TimeClaims(spec, clock));
    }

    /** The verified claims of {@code token}. */
    JWTClaimsSet verify(String token) throws Refusal {
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            throw new Refusal(403, NOT_AUTHORIZED, "not a JWT: " + e.getMessage(), false);
        }
        if (!(jwt instanceof SignedJWT signed))
            throw new Refusal(403, UNEXPECTED_ALGORITHM, "alg " + jwt.getHeader().getAlgorithm() + ": unsigned or encrypted", true);
        if (!algorithms.contains(signed.getHeader().getAlgorithm()))
            throw new Refusal(403, UNEXPECTED_ALGORITHM, "alg " + signed.getHeader().getAlgorithm() + ", expected one of " + algorithms, true);
        try {
            return processor.process(signed, null);
        } catch (TimeClaimRefused e) {
            throw new Refusal(401, e.getMessage(), null, true);
        } catch (RateLimitReachedException e) {
            throw new Refusal(403, NOT_AUTHORIZED, "kid " + signed.getHeader().getKeyID() + " is not in the JWKS, which was fetched again too recently", true);
        } catch (KeySourceException e) {
            throw new Refusal(503, KEYS_UNAVAILABLE, e.getMessage(), true);
        } catch (BadJOSEException | JOSEException e) {
            throw new Refusal(403, NOT_AUTHORIZED, e.getMessage(), true);
        }
    }

    private static Set<JWSAlgorithm> algorithms(JwtSpec.SigningMethod method) {
        return switch (method) {
            case HMAC -> Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
            case RSA -> Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512);
            case ECDSA -> Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
        };
    }

    private JWSKeySelector<SecurityContext> keySelector(JwtSpec spec) {
        return switch (spec.source()) {
            case JwtSpec.Secret s -> fixed(new SecretKeySpec(s.bytes(), "HmacSHA256"));
            case JwtSpec.Key k -> fixed(k.publicKey());
            case JwtSpec.JwksUrl u -> new JWSVerificationKeySelector<>(algorithms, jwks(u, spec.jwks()));
        };
    }

    /** A configured key verifies every token of an expected algorithm, whatever its {@code kid} (as in Tyk). */
    private JWSKeySelector<SecurityContext> fixed(Key key) {
        List<Key> keys = List.of(key);
        return (header, context) -> algorithms.contains(header.getAlgorithm()) ? keys : List.of();
    }

    private static JWKSource<SecurityContext> jwks(JwtSpec.JwksUrl url, JwtSpec.Jwks settings) {
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, settings.fetchTimeout().toMillis());
        long ttl = settings.cacheTtl().toMillis();
        long refreshAhead = Math.min(Duration.ofSeconds(30).toMillis(), (ttl - timeoutMillis) / 2);
        JWKSourceBuilder<SecurityContext> b;
        try {
            b = JWKSourceBuilder.create(url.url().toURL(), new DefaultResourceRetriever(timeoutMillis, timeoutMillis, JWKS_SIZE_LIMIT));
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("jwt_source: " + e.getMessage(), e); // checked when the config was read
        }
        b = b.cache(ttl, timeoutMillis).retrying(false).outageTolerant(false);
        b = refreshAhead > 0 ? b.refreshAheadCache(refreshAhead, null, REFRESHES, false, null, false) : b.refreshAheadCache(false);
        long minInterval = settings.minRefetchInterval().toMillis();
        return (minInterval > 0 ? b.rateLimited(minInterval) : b.rateLimited(false)).build();
    }

    /** Thrown by {@link TimeClaims}: the token is outside its validity period. */
    static final class TimeClaimRefused extends BadJWTException {
        TimeClaimRefused(String message) { super(message); }
    }

    /** Tyk's time checks, each with its own skew: {@code exp} passed, {@code nbf} or {@code iat} in the future. A claim left out is not checked. */
    private static final class TimeClaims implements JWTClaimsSetVerifier<SecurityContext> {
        private final JwtSpec spec;
        private final InstantSource clock;

        TimeClaims(JwtSpec spec, InstantSource clock) {
            this.spec = spec;
            this.clock = clock;
        }

        @Override
        public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
            long now = clock.millis();
            Date exp = claims.getExpirationTime();
            if (exp != null && now >= exp.getTime() + spec.expiresAtSkew().toMillis()) throw new TimeClaimRefused(KeyAuthStep.EXPIRED);
            Date nbf = claims.getNotBeforeTime();
            if (nbf != null && now < nbf.getTime() - spec.notBeforeSkew().toMillis()) throw new TimeClaimRefused(NOT_YET_VALID);
            Date iat = claims.getIssueTime();
            if (iat != null && now < iat.getTime() - spec.issuedAtSkew().toMillis()) throw new TimeClaimRefused(ISSUED_IN_FUTURE);
        }
    }
}
