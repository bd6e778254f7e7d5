package io.polygate.session;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * A basic auth user's password, Tyk's {@code basic_auth_data} of a session: {@code password} and
 * {@code hash_type} ({@code "bcrypt"}, or empty for a password kept as it is). As in Tyk, a key
 * created with a password gets it bcrypt-hashed (cost {@value #COST}) unless {@code hash_type}
 * says otherwise; a replaced key keeps what it is given. Unknown fields are kept.
 *
 * <p>Not thread-safe, like {@link Session}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class BasicAuthData {
    public static final String BCRYPT = "bcrypt";
    /** bcrypt reads at most 72 bytes of a password; Tyk (Go's bcrypt) refuses longer ones. */
    public static final int MAX_PASSWORD_BYTES = 72;
    static final int COST = 10;
    private static final SecureRandom RANDOM = new SecureRandom();

    public String password;
    public String hash_type;

    private final Map<String, Object> extra = new LinkedHashMap<>();

    @JsonAnySetter
    public void setExtra(String name, Object value) { extra.put(name, value); }

    @JsonAnyGetter
    public Map<String, Object> extra() { return extra; }

    /** Whether {@code presented} is this user's password; checking a bcrypt hash takes tens of milliseconds (by design). */
    public boolean matches(String presented) {
        if (password == null || password.isEmpty() || presented == null) return false;
        if (!BCRYPT.equals(hash_type)) return java.security.MessageDigest.isEqual(
                password.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
        if (presented.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) return false;
        try {
            return OpenBSDBCrypt.checkPassword(password, presented.toCharArray());
        } catch (IllegalArgumentException e) {
            return false; // the stored value is no bcrypt hash
        }
    }

    /**
     * What creating a key does to its password (Tyk's key creation): an empty {@code hash_type}
     * becomes bcrypt and the password is replaced by its hash. Returns why the password cannot be
     * hashed, or null.
     */
    @JsonIgnore
    public String hashForCreate() {
        if (password == null || password.isEmpty()) return null;
        if (hash_type == null || hash_type.isEmpty()) hash_type = BCRYPT;
        if (!BCRYPT.equals(hash_type)) return null;
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES)
            return "basic_auth_data.password: longer than " + MAX_PASSWORD_BYTES + " bytes, which bcrypt cannot hash";
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        password = OpenBSDBCrypt.generate("2a", password.toCharArray(), salt, COST);
        return null;
    }
}
