package io.polygate.config;

import java.net.URI;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * An API's JWT settings, Tyk Classic names ({@code jwt_*}); read by {@link JwtDefinitions}, which
 * has already decoded and checked the key material. Immutable.
 *
 * @param header            the header the token is read from ({@code auth_configs.jwt.auth_header_name}, a {@code Bearer } prefix is dropped)
 * @param signingMethod     {@code jwt_signing_method}: the only algorithm family a token may be signed with
 * @param source            {@code jwt_source}: the secret, the public key, or the JWKS URL
 * @param identityBaseField {@code jwt_identity_base_field}: the claim naming the caller; null = {@code sub}
 * @param policyFieldName   {@code jwt_policy_field_name}: the claim naming the policy (or policies); null = none
 * @param defaultPolicies   {@code jwt_default_policies}: applied when the token names no policy
 * @param expiresAtSkew     {@code jwt_expires_at_validation_skew}: how long after {@code exp} a token is still taken
 * @param issuedAtSkew      {@code jwt_issued_at_validation_skew}: how far in the future {@code iat} may be
 * @param notBeforeSkew     {@code jwt_not_before_validation_skew}: how far in the future {@code nbf} may be
 * @param jwks              how a JWKS URL is fetched and cached (unused for a secret or a public key)
 */
public record JwtSpec(String header, SigningMethod signingMethod, Source source, String identityBaseField, String policyFieldName,
                      List<String> defaultPolicies, Duration expiresAtSkew, Duration issuedAtSkew, Duration notBeforeSkew, Jwks jwks) {

    public JwtSpec {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(signingMethod, "signingMethod");
        Objects.requireNonNull(source, "source");
        defaultPolicies = List.copyOf(defaultPolicies);
    }

    /** Tyk's {@code jwt_signing_method} values; each allows the 256, 384 and 512 bit variants of its family. */
    public enum SigningMethod { HMAC, RSA, ECDSA }

    /** Where the verification keys come from. */
    public sealed interface Source permits Secret, Key, JwksUrl {}

    /** An HMAC secret (the bytes {@code jwt_source} decodes to). */
    public record Secret(byte[] bytes) implements Source {}

    /** A public key, from a PEM public key or certificate. */
    public record Key(PublicKey publicKey) implements Source {}

    /** A JWKS document to fetch; its keys are picked by the token's {@code kid}. */
    public record JwksUrl(URI url) implements Source {}

    /**
     * JWKS fetching (Polygate settings; Tyk has no such fields).
     *
     * @param cacheTtl           how long a fetched key set is used; it is refreshed in the background shortly before
     * @param fetchTimeout       connect and read timeout of one fetch, which a request may wait for
     * @param minRefetchInterval a token with an unknown {@code kid} fetches the set again at most twice this often
     */
    public record Jwks(Duration cacheTtl, Duration fetchTimeout, Duration minRefetchInterval) {
        public static final Jwks DEFAULT = new Jwks(Duration.ofMinutes(5), Duration.ofSeconds(2), Duration.ofSeconds(30));
    }
}
