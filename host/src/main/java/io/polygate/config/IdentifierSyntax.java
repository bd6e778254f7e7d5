package io.polygate.config;

import java.util.List;
import java.util.Map;

/**
 * The syntax of a counter identifier expression ({@code $headers.NAME|$ip|...}), checked when
 * config, policies and API definitions are read; {@code limit.Identifier} parses and resolves it.
 */
public final class IdentifierSyntax {
    private IdentifierSyntax() {}

    /** Records why the {@code rate_limit_pattern} of a key's or policy's {@code meta_data} is not valid; none is valid. */
    public static void checkRateLimitPattern(Map<String, Object> metaData, ConfigErrors errors) {
        Object pattern = metaData == null ? null : metaData.get("rate_limit_pattern");
        if (pattern == null) return;
        String problem = pattern instanceof String s ? problem(s) : "must be a string";
        if (problem != null) errors.add("meta_data.rate_limit_pattern", problem);
    }

    /** Why {@code expression} is not a valid identifier, or null when it is. */
    public static String problem(String expression) {
        if (expression.isBlank()) return "must not be empty (e.g. \"$headers.APP-KEY\" or \"$ip\")";
        for (String raw : expression.split("\\|", -1)) {
            String p = raw.trim();
            if (p.isEmpty()) return "\"" + expression + "\" has an empty part between '|'";
            if (!p.startsWith("$")) continue;
            if (p.equals("$ip")) continue;
            int dot = p.indexOf('.');
            String source = dot < 0 ? p : p.substring(0, dot);
            String name = dot < 0 ? "" : p.substring(dot + 1);
            if (!List.of("$headers", "$pathParams", "$authn", "$tyk_meta").contains(source))
                return "\"" + p + "\" is not one of $headers.NAME, $pathParams.NAME, $authn.CLAIM, $tyk_meta.FIELD, $ip"
                        + (source.equals("$body") ? " ($body is not supported yet)" : "");
            if (name.isEmpty()) return "\"" + p + "\" needs a name after the dot (e.g. \"" + source + ".id\")";
        }
        return null;
    }
}
