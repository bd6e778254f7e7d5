package io.polygate.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.InetAddressSet;

/**
 * Who the client is: the peer of the connection, unless the peer is one of {@code trusted_proxies},
 * in which case the address it says it forwards for. That is read from {@code Forwarded}
 * ({@code for=}, RFC 7239) when the request has one, else from {@code X-Forwarded-For}, walking
 * from the right: each hop added by a trusted proxy is believed, and the first address that is not
 * a trusted proxy is the client (nginx's {@code real_ip_recursive}). A hop that is not an IP literal
 * (a name, {@code unknown}, an obfuscated id) ends the walk at the hop after it. With no trusted
 * proxies, no header is believed. Thread-safe; nothing is looked up in DNS.
 */
public final class ClientAddresses implements Function<Request, InetAddress> {
    private final InetAddressSet trusted = new InetAddressSet();

    /** @param trustedProxies IP addresses, CIDRs or ranges, already checked to be IP literals */
    public ClientAddresses(List<String> trustedProxies) {
        for (String p : trustedProxies) trusted.add(p);
    }

    @Override
    public InetAddress apply(Request request) {
        InetAddress peer = peer(request);
        if (peer == null || trusted.isEmpty() || !trusted.test(peer)) return peer;
        List<String> hops = forwardedFor(request);
        InetAddress client = peer;
        for (int i = hops.size() - 1; i >= 0 && trusted.test(client); i--) {
            InetAddress hop = literal(hops.get(i));
            if (hop == null) break;
            client = hop;
        }
        return client;
    }

    private static InetAddress peer(Request request) {
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    /** The addresses the proxies forwarded for, the nearest last. */
    private static List<String> forwardedFor(Request request) {
        List<String> hops = new ArrayList<>();
        boolean rfc7239 = request.getHeaders().contains(HttpHeader.FORWARDED);
        for (HttpField f : request.getHeaders()) {
            if (rfc7239 ? f.getHeader() != HttpHeader.FORWARDED : f.getHeader() != HttpHeader.X_FORWARDED_FOR) continue;
            for (String element : f.getValue().split(",")) {
                String hop = rfc7239 ? forParameter(element) : element.trim();
                hops.add(hop == null ? "" : hop);
            }
        }
        return hops;
    }

    /** The {@code for=} of one {@code Forwarded} element, unquoted, or null. */
    private static String forParameter(String element) {
        for (String pair : element.split(";")) {
            int eq = pair.indexOf('=');
            if (eq < 0 || !pair.substring(0, eq).trim().equalsIgnoreCase("for")) continue;
            String v = pair.substring(eq + 1).trim();
            if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) v = v.substring(1, v.length() - 1);
            return v;
        }
        return null;
    }

    /** An IP literal with an optional port ({@code 10.0.0.1:4711}, {@code [2001:db8::1]:4711}), or null for anything else. */
    static InetAddress literal(String hop) {
        String h = hop;
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            if (end < 0) return null;
            h = h.substring(1, end);
        } else if (h.indexOf(':') == h.lastIndexOf(':') && h.indexOf(':') > 0) {
            h = h.substring(0, h.indexOf(':')); // IPv4 with a port
        }
        if (h.isEmpty() || !isLiteral(h)) return null;
        try {
            return InetAddress.getByName(h); // a literal: parsed, not looked up
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean isLiteral(String h) {
        if (h.indexOf(':') >= 0) return h.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        String[] parts = h.split("\\.", -1);
        if (parts.length != 4) return false;
        for (String p : parts) if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) return false;
        return true;
    }
}
