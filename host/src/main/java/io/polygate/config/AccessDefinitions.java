package io.polygate.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.eclipse.jetty.util.InetAddressPattern;

/**
 * Reads who may call an API: its IP lists and its CORS object (Tyk Classic names), and the
 * gateway's {@code trusted_proxies}; each problem is reported with its path.
 */
public final class AccessDefinitions {
    private static final String V4 = "\\d{1,3}(\\.\\d{1,3}){3}";
    private static final String V6 = "[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*";
    private static final String ADDRESS = "(" + V4 + "|" + V6 + ")";
    /** An address, a CIDR or a range of two addresses: IP literals only, so that nothing is looked up in DNS. */
    private static final Pattern ADDRESS_PATTERN = Pattern.compile(ADDRESS + "(/\\d{1,3}|-" + ADDRESS + ")?");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private AccessDefinitions() {}

    /** Tyk's IP lists; a list is in force when its {@code enable_*} flag is true and {@code ip_access_control_disabled} is not. */
    static IpLists ipLists(Node api) {
        boolean disabled = api.bool("ip_access_control_disabled", false);
        List<String> allowed = api.bool("enable_ip_whitelisting", false) ? addressPatterns(api, "allowed_ips") : List.of();
        List<String> blocked = api.bool("enable_ip_blacklisting", false) ? addressPatterns(api, "blacklisted_ips") : List.of();
        return disabled ? IpLists.NONE : new IpLists(allowed, blocked);
    }

    /** A list of IP addresses, CIDRs or ranges at {@code field} of {@code n}; empty when absent. */
    public static List<String> addressPatterns(Node n, String field) {
        List<String> patterns = new ArrayList<>();
        for (String p : strings(n, field, "a list of IP addresses or CIDRs (\"10.0.0.0/8\")")) {
            if (validAddressPattern(p)) patterns.add(p);
            else n.errors().add(n.pathOf(field), "\"" + p + "\" is not an IP address, a CIDR (\"10.0.0.0/8\", \"2001:db8::/32\") or a range (\"10.0.0.1-10.0.0.9\")");
        }
        return patterns;
    }

    private static boolean validAddressPattern(String p) {
        if (!ADDRESS_PATTERN.matcher(p).matches()) return false;
        try {
            InetAddressPattern.from(p);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Tyk's {@code CORS} object (Polygate also reads it as {@code cors}). */
    static CorsSpec cors(Node api) {
        Node c = api.has("CORS") || !api.has("cors") ? api.child("CORS") : api.child("cors");
        if (c.json().isMissingNode() || c.json().isNull()) return CorsSpec.OFF;
        if (!c.requireObject()) return CorsSpec.OFF;
        List<String> origins = strings(c, "allowed_origins", "a list of origins (\"https://app.example.com\", \"*\")");
        for (String o : origins)
            if (o.indexOf('*') != o.lastIndexOf('*')) c.errors().add(c.pathOf("allowed_origins"), "\"" + o + "\" may hold one '*' at most");
        List<String> methods = tokens(c, "allowed_methods", "a list of HTTP methods");
        List<String> headers = tokens(c, "allowed_headers", "a list of header names");
        List<String> exposed = tokens(c, "exposed_headers", "a list of header names");
        return new CorsSpec(c.bool("enable", false), origins, methods, headers, exposed, c.bool("allow_credentials", false),
                c.integer("max_age", 0, 0, Integer.MAX_VALUE), c.bool("options_passthrough", false));
    }

    private static List<String> tokens(Node n, String field, String what) {
        List<String> tokens = strings(n, field, what);
        for (String t : tokens)
            if (!t.equals("*") && !TOKEN.matcher(t).matches()) n.errors().add(n.pathOf(field), "\"" + t + "\" is not a method or header name");
        return tokens;
    }

    /** The non-blank strings of list {@code field}, trimmed. */
    private static List<String> strings(Node n, String field, String what) {
        return n.child(field).stringList(what, "a non-empty string").stream().map(String::trim).toList();
    }
}
