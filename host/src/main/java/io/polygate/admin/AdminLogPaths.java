package io.polygate.admin;

import io.polygate.session.SessionStore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Admin paths as logs and error messages may show them: the key in {@code /keys/{key}} (and {@code /tyk/keys/...}) masked. */
final class AdminLogPaths {
    private static final Pattern KEY_SEGMENT = Pattern.compile("(/keys/)(?!create(?:/|$))([^/]+)");

    private AdminLogPaths() {}

    /** {@code /keys/abcdefgh} as {@code /keys/****efgh}; Tyk's {@code /tyk/keys/create} and other paths unchanged; null stays null. */
    static String masked(String path) {
        if (path == null) return null;
        Matcher m = KEY_SEGMENT.matcher(path);
        StringBuilder out = new StringBuilder();
        while (m.find()) m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + SessionStore.redact(m.group(2))));
        m.appendTail(out);
        return out.toString();
    }
}
