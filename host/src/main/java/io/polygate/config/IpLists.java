package io.polygate.config;

import java.util.List;

/**
 * An API's IP allow and block lists (Tyk's {@code enable_ip_whitelisting} + {@code allowed_ips},
 * {@code enable_ip_blacklisting} + {@code blacklisted_ips}): addresses, CIDRs ({@code 10.0.0.0/8},
 * {@code 2001:db8::/32}) or ranges ({@code 10.0.0.1-10.0.0.9}), already checked to be IP literals.
 *
 * @param allowed when not empty, only these clients may call the API
 * @param blocked these clients may not
 */
public record IpLists(List<String> allowed, List<String> blocked) {
    public static final IpLists NONE = new IpLists(List.of(), List.of());

    public IpLists {
        allowed = List.copyOf(allowed);
        blocked = List.copyOf(blocked);
    }

    public boolean isEmpty() { return allowed.isEmpty() && blocked.isEmpty(); }
}
