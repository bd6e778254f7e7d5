package io.polygate.plugin.polyglot;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Hosts a bundle may call: {@code host} (any port), {@code host:port}, {@code *.domain}, {@code [v6]:port}. */
record OutboundAllowList(List<Entry> entries) {
    /** {@code port} -1: any; a {@code host} starting with {@code .} matches its sub-domains. */
    record Entry(String host, int port) {}

    static OutboundAllowList of(List<String> specs) {
        List<Entry> entries = new ArrayList<>();
        for (String spec : specs) {
            String s = spec.toLowerCase(Locale.ROOT);
            String host = s;
            int port = -1;
            int close = s.indexOf(']');
            int colon = s.lastIndexOf(':');
            if (s.startsWith("[") && close > 0) {
                host = s.substring(1, close);
                if (colon > close) port = Integer.parseInt(s.substring(colon + 1));
            } else if (colon > 0 && colon == s.indexOf(':')) {
                host = s.substring(0, colon);
                port = Integer.parseInt(s.substring(colon + 1));
            }
            entries.add(new Entry(host.startsWith("*.") ? host.substring(1) : host, port));
        }
        return new OutboundAllowList(List.copyOf(entries));
    }

    boolean permits(String host, int port) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        for (Entry e : entries) {
            if (e.port() != -1 && e.port() != port) continue;
            if (e.host().startsWith(".") ? h.endsWith(e.host()) : h.equals(e.host())) return true;
        }
        return false;
    }
}
