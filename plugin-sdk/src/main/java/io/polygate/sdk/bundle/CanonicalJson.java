package io.polygate.sdk.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The canonical JSON text the strict signature covers: no whitespace, object members sorted by
 * name (UTF-16 code units, as RFC 8785), strings escaped as RFC 8785 (only {@code "}, {@code \}
 * and control characters; short escapes where JSON has them, else lowercase {@code \}{@code u00xx}),
 * integers in plain digits, other numbers as plain decimals without trailing zeros.
 */
final class CanonicalJson {
    private CanonicalJson() {}

    static String write(JsonNode node) {
        StringBuilder b = new StringBuilder();
        write(node, b);
        return b.toString();
    }

    private static void write(JsonNode node, StringBuilder b) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(node.properties());
                fields.sort(Map.Entry.comparingByKey());
                b.append('{');
                for (int i = 0; i < fields.size(); i++) {
                    if (i > 0) b.append(',');
                    string(fields.get(i).getKey(), b);
                    b.append(':');
                    write(fields.get(i).getValue(), b);
                }
                b.append('}');
            }
            case ARRAY -> {
                b.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) b.append(',');
                    write(node.get(i), b);
                }
                b.append(']');
            }
            case STRING -> string(node.textValue(), b);
            case NUMBER -> {
                if (node.isIntegralNumber()) {
                    b.append(node.bigIntegerValue());
                } else {
                    BigDecimal d = node.decimalValue().stripTrailingZeros();
                    b.append(d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString());
                }
            }
            case BOOLEAN -> b.append(node.booleanValue());
            case NULL, MISSING -> b.append("null");
            default -> throw new IllegalArgumentException("not JSON: " + node.getNodeType());
        }
    }

    private static void string(String s, StringBuilder b) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }
}
