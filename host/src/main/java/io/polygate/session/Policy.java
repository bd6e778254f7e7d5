package io.polygate.session;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A policy in Tyk's shape: limits and metadata that apply to every key listing its id in
 * {@code apply_policies}. With several policies on one key, the highest effective rate
 * ({@code rate / per}) wins, and so does the largest quota ({@code docs/limits.md}). Unknown
 * fields are kept and written back.
 *
 * <p>Not thread-safe; instances read from the {@link PolicyStore} cache are shared and must not be
 * changed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Policy {
    public String id;
    public String name;
    public double rate;
    public double per;
    public long quota_max = -1;
    public long quota_renewal_rate;
    public long throttle_interval;
    public long throttle_retry_limit;
    public Map<String, Object> smoothing;
    public Map<String, Session.AccessDefinition> access_rights = new LinkedHashMap<>();
    public Map<String, Object> meta_data = new LinkedHashMap<>();
    public List<String> tags = new ArrayList<>();
    public boolean active = true;

    private final Map<String, Object> extra = new LinkedHashMap<>();

    @JsonAnySetter
    public void setExtra(String name, Object value) { extra.put(name, value); }

    @JsonAnyGetter
    public Map<String, Object> extra() { return extra; }

    /** Requests per second, for choosing between policies; 0 when the policy sets no rate. */
    public double effectiveRate() { return rate > 0 && per > 0 ? rate / per : 0; }
}
