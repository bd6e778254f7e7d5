package io.polygate.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.config.JwtSpec.JwksUrl;
import io.polygate.config.JwtSpec.SigningMethod;
import io.polygate.config.JwtSpec.Source;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an API definition's JWT fields (Tyk Classic names) into a {@link JwtSpec}, decoding
 * {@code jwt_source} as Tyk does: an http(s) URL is a JWKS URL; anything else must be base64, and
 * decodes to a JWKS URL, a PEM public key or certificate (RSA or EC), or the HMAC secret. Each
 * problem is reported with its path.
 */
final class JwtDefinitions {
    /** Nimbus (RFC 7518 §3.2) refuses HMAC keys shorter than the hash: 256 bits for HS256. */
    static final int MIN_SECRET_BYTES = 32;
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private JwtDefinitions() {}

    /** The API's JWT settings, or null when they have errors (recorded in {@code api}'s errors). */
    static JwtSpec parse(Node api) {
        int before = api.errors().list().size();
        String method = api.string("jwt_signing_method", null);
        SigningMethod signing = null;
        if (method == null || method.isBlank()) api.errors().missing(api.pathOf("jwt_signing_method"));
        else signing = switch (method.toLowerCase(Locale.ROOT)) {
            case "hmac" -> SigningMethod.HMAC;
            case "rsa" -> SigningMethod.RSA;
            case "ecdsa" -> SigningMethod.ECDSA;
            default -> {
                api.errors().unknownValue(api.pathOf("jwt_signing_method"), method, "hmac, rsa, ecdsa");
                yield null;
            }
        };
        Source source = source(api, signing);
        String identity = blankToNull(api.string("jwt_identity_base_field", null));
        String policyField = blankToNull(api.string("jwt_policy_field_name", null));
        List<String> defaults = api.child("jwt_default_policies").stringList("a list of policy ids (e.g. [\"gold\"])", "a policy id");
        Duration exp = skew(api, "jwt_expires_at_validation_skew");
        Duration iat = skew(api, "jwt_issued_at_validation_skew");
        Duration nbf = skew(api, "jwt_not_before_validation_skew");
        Node jwks = api.child("jwt_jwks");
        JwtSpec.Jwks fetch = JwtSpec.Jwks.DEFAULT;
        if (jwks.has("cache_ttl") || jwks.has("fetch_timeout") || jwks.has("min_refetch_interval")) {
            fetch = new JwtSpec.Jwks(positive(jwks, "cache_ttl", fetch.cacheTtl()), positive(jwks, "fetch_timeout", fetch.fetchTimeout()),
                    jwks.duration("min_refetch_interval", fetch.minRefetchInterval()));
        }
        String header = api.child("auth_configs").child("jwt").string("auth_header_name", ApiDefinition.AuthSpec.DEFAULT_HEADER);
        if (api.errors().list().size() != before) return null;
        return new JwtSpec(header, signing, source, identity, policyField, defaults, exp, iat, nbf, fetch);
    }

    private static Source source(Node api, SigningMethod signing) {
        String path = api.pathOf("jwt_source");
        String raw = api.string("jwt_source", null);
        if (raw == null || raw.isBlank()) {
            api.errors().add(path, "is required with JWT auth: a JWKS URL, or the base64 of the HMAC secret or of a PEM public key");
            return null;
        }
        raw = raw.trim();
        if (isUrl(raw)) return jwksUrl(api, path, raw);
        byte[] decoded;
        try {
            decoded = Base64.getMimeDecoder().decode(raw);
        } catch (IllegalArgumentException e) {
            api.errors().add(path, "is neither an http(s) URL nor base64 (Tyk's jwt_source holds the base64 of the secret or PEM key)");
            return null;
        }
        String text = new String(decoded, StandardCharsets.UTF_8).trim();
        if (isUrl(text)) return jwksUrl(api, path, text);
        if (signing == null) return null;
        if (signing == SigningMethod.HMAC) {
            if (decoded.length < MIN_SECRET_BYTES) {
                api.errors().add(path, "the HMAC secret is " + decoded.length + " bytes; it must be at least " + MIN_SECRET_BYTES
                        + " (256 bits, RFC 7518 section 3.2)");
                return null;
            }
            return new JwtSpec.Secret(decoded);
        }
        PublicKey key = publicKey(text);
        String wanted = signing == SigningMethod.RSA ? "an RSA" : "an EC";
        if (key == null) {
            api.errors().add(path, "does not decode to a PEM public key or certificate (jwt_signing_method " + signing.name().toLowerCase(Locale.ROOT)
                    + " needs " + wanted + " public key)");
            return null;
        }
        boolean fits = signing == SigningMethod.RSA ? key instanceof RSAPublicKey : key instanceof ECPublicKey;
        if (!fits) {
            api.errors().add(path, "holds " + key.getAlgorithm() + " key, but jwt_signing_method "
                    + signing.name().toLowerCase(Locale.ROOT) + " needs " + wanted + " public key");
            return null;
        }
        return new JwtSpec.Key(key);
    }

    private static boolean isUrl(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        return lower.startsWith("http://") || lower.startsWith("https://");
    }

    private static Source jwksUrl(Node api, String path, String url) {
        try {
            URI u = new URI(url);
            if (u.getHost() != null) return new JwksUrl(u);
        } catch (Exception ignored) {
            // reported below
        }
        api.errors().notAUrl(path, url);
        return null;
    }

    /** A {@code PUBLIC KEY} or {@code CERTIFICATE} PEM block's key, or null. */
    static PublicKey publicKey(String pem) {
        Matcher m = PEM.matcher(pem);
        if (!m.find()) return null;
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(2).replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            return null;
        }
        try {
            if (m.group(1).equals("CERTIFICATE"))
                return CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der)).getPublicKey();
            if (!m.group(1).equals("PUBLIC KEY")) return null;
            for (String algorithm : List.of("RSA", "EC")) {
                try {
                    return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
                } catch (java.security.spec.InvalidKeySpecException notThisAlgorithm) {
                    // try the next
                }
            }
            return null;
        } catch (java.security.GeneralSecurityException e) {
            return null;
        }
    }

    private static Duration skew(Node api, String field) {
        return Duration.ofSeconds(api.integer(field, 0, 0, Integer.MAX_VALUE));
    }

    private static Duration positive(Node n, String field, Duration dflt) {
        Duration d = n.duration(field, dflt);
        if (d.isZero()) {
            n.errors().outOfRange(n.pathOf(field), "0", "> 0");
            return dflt;
        }
        return d;
    }

    private static String blankToNull(String s) { return s == null || s.isBlank() ? null : s; }
}
