package io.polygate.session;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A key's session, in Tyk's session JSON shape so that Tyk key files and plugins that read
 * {@code session.rate} keep working. Fields Polygate does not know are kept and written back
 * unchanged ({@link #extra}).
 *
 * <p>Not thread-safe: each request works on its own copy, read from the store.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Session {
    /** Tyk's refusal of a key without access to the API; key auth, plugin auth and limits all answer it. */
    public static final String NO_ACCESS = "Access to this API has been disallowed";

    public double allowance;
    /** Requests allowed per {@link #per} seconds; 0 = no key rate limit. */
    public double rate;
    public double per;
    public long throttle_interval;
    public long throttle_retry_limit;
    public long max_query_depth;
    public String date_created;
    /** Epoch seconds after which the key is refused; 0 or negative = never. */
    public long expires;
    /** Requests per quota period; -1 (or 0) = unlimited. */
    public long quota_max = -1;
    public long quota_renews;
    public long quota_remaining;
    public long quota_renewal_rate;
    public Map<String, AccessDefinition> access_rights = new LinkedHashMap<>();
    public String org_id;
    public String oauth_client_id;
    public boolean hmac_enabled;
    public String hmac_string;
    public boolean is_inactive;
    public String apply_policy_id;
    public List<String> apply_policies = new ArrayList<>();
    public long data_expires;
    public boolean enable_detail_recording;
    public Map<String, Object> meta_data = new LinkedHashMap<>();
    public List<String> tags = new ArrayList<>();
    public String alias;
    public long last_updated;
    /** Epoch seconds until which a session built by an auth plugin for an extracted id is reused. */
    public long id_extractor_deadline;
    public long session_lifetime;
    public Map<String, Object> smoothing;
    /** A basic auth user's password ({@link BasicAuthData}), or null. */
    public BasicAuthData basic_auth_data;

    private final Map<String, Object> extra = new LinkedHashMap<>();

    @JsonAnySetter
    public void setExtra(String name, Object value) { extra.put(name, value); }

    @JsonAnyGetter
    public Map<String, Object> extra() { return extra; }

    /** The policies this key applies: {@code apply_policies}, else Tyk's older single {@code apply_policy_id}. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public List<String> policyIds() {
        if (apply_policies != null && !apply_policies.isEmpty()) return apply_policies;
        return apply_policy_id != null && !apply_policy_id.isBlank() ? List.of(apply_policy_id) : List.of();
    }

    /** What a key may do on one API ({@code access_rights[api_id]}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class AccessDefinition {
        public String api_name;
        public String api_id;
        public List<String> versions = new ArrayList<>();
        public List<Object> allowed_urls;
        public Map<String, Object> limit;

        private final Map<String, Object> extra = new LinkedHashMap<>();

        @JsonAnySetter
        public void setExtra(String name, Object value) { extra.put(name, value); }

        @JsonAnyGetter
        public Map<String, Object> extra() { return extra; }
    }
}
