package io.polygate.sdk.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.sdk.json.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generators of JSON documents for the parsers' property tests: scalars of every type with their
 * edge values, random trees whose object keys are mostly the field names a parser reads (so that
 * its fields are reached, not only its "must be an object" check), valid documents with a few
 * values mutated, removed or typed wrong, and text that is almost JSON. Sizes are bounded so that
 * a try takes milliseconds: a try that hangs is a finding.
 */
public final class JsonArbitraries {
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    /** Values parsers trip over: blanks, controls, paths out of a folder, non-ASCII, regex, identifier and URL syntax. */
    private static final List<String> AWKWARD = List.of("", " ", "\u0000", "\t\r\n", "null", "true", "0", "-1", "1e999",
            "../x", "/etc/passwd", "C:\\x", "a/../../b", "%00", "${x}", "$ip", "$headers.", "|", "(a+)+$", "[", "{", "\\",
            "\"", "\u00e9\u00df\u4e2d\u6587", "\ud83d\ude00", "\u202e", "\ufeff", "http://", "echo://", "redis://x:99999",
            "10s", "-5s", "1.5.5", "GET");

    /** What a mutation does to the value it picks. */
    private enum Change { REMOVE, REPLACE, WRONG_TYPE, WRAP_IN_LIST, HUGE, ADD_FIELD, NULL }

    private record Mutation(int at, Change change, JsonNode tree, String word) {}

    /** Where a value sits: a field of an object or an element of a list. */
    private record Slot(JsonNode parent, String field, int index) {
        JsonNode value() { return field != null ? parent.get(field) : parent.get(index); }

        void set(JsonNode v) {
            if (field != null) ((ObjectNode) parent).set(field, v);
            else ((ArrayNode) parent).set(index, v);
        }

        void remove() {
            if (field != null) ((ObjectNode) parent).remove(field);
            else ((ArrayNode) parent).remove(index);
        }
    }

    private JsonArbitraries() {}

    /** Strings: the given words, awkward values, any text of the Basic Multilingual Plane (controls included), a few huge ones. */
    public static Arbitrary<String> strings(List<String> words) {
        Arbitrary<String> text = Arbitraries.strings().withCharRange('\u0000', '\ud7ff').withCharRange('\ue000', '\uffff').ofMaxLength(40);
        // no edge cases: jqwik keeps up to a run's tries of them at once, and 10,000 of 100,000 characters fill the heap
        Arbitrary<String> huge = Arbitraries.integers().between(1_000, 100_000).withoutEdgeCases().map("x"::repeat);
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of(words)), Tuple.of(2, Arbitraries.of(AWKWARD)), Tuple.of(3, text), Tuple.of(1, huge));
    }

    /** Scalars of every JSON type with their edge values: huge and tiny numbers, -0, numbers written as strings. */
    public static Arbitrary<JsonNode> scalars(List<String> words) {
        Arbitrary<JsonNode> numbers = Arbitraries.oneOf(
                Arbitraries.integers().map(NODES::numberNode),
                Arbitraries.longs().map(NODES::numberNode),
                Arbitraries.doubles().map(NODES::numberNode),
                Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE, 0L, -1L, 65536L, 1L << 53).map(NODES::numberNode),
                Arbitraries.of(1e308, -0.0, 4.9e-324, 0.5, 1e12 + 0.5).map(NODES::numberNode),
                Arbitraries.of(BigInteger.TEN.pow(400), BigInteger.TEN.pow(30).negate()).map(NODES::numberNode),
                Arbitraries.of(new BigDecimal("1e-400"), new BigDecimal("1e400")).map(NODES::numberNode));
        return Arbitraries.frequencyOf(
                Tuple.of(4, strings(words).map(NODES::textNode)),
                Tuple.of(3, numbers),
                Tuple.of(1, Arbitraries.of(NODES.booleanNode(true), NODES.booleanNode(false), NODES.nullNode())));
    }

    /** Trees up to {@code maxDepth} levels of lists and objects, keyed mostly by {@code words}. */
    public static Arbitrary<JsonNode> trees(List<String> words, int maxDepth) {
        Arbitrary<String> keys = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.of(words)), Tuple.of(1, strings(words)));
        return Arbitraries.recursive(() -> scalars(words), inner -> Arbitraries.frequencyOf(
                Tuple.of(2, inner),
                Tuple.of(1, inner.list().ofMaxSize(4).map(JsonArbitraries::list)),
                Tuple.of(3, Arbitraries.maps(keys, inner).ofMaxSize(5).map(JsonArbitraries::object))), 0, maxDepth);
    }

    /** {@code valid} with one to four changes, each at a random place: removed, replaced, typed wrong, huge, ... */
    public static Arbitrary<JsonNode> mutations(JsonNode valid, List<String> words) {
        Arbitrary<Mutation> one = Combinators.combine(Arbitraries.integers().greaterOrEqual(0), Arbitraries.of(Change.class),
                trees(words, 2), Arbitraries.of(words)).as(Mutation::new);
        return one.list().ofMinSize(1).ofMaxSize(4).map(ms -> {
            JsonNode doc = valid.deepCopy();
            for (Mutation m : ms) doc = apply(doc, m);
            return doc;
        });
    }

    /** Text that is almost {@code valid}: cut short, with characters changed, inserted or dropped, or nested too deep. */
    public static Arbitrary<String> brokenText(JsonNode valid) {
        String text = valid.toString();
        Arbitrary<String> edited = Combinators.combine(
                Arbitraries.integers().between(0, text.length()).list().ofMinSize(1).ofMaxSize(5),
                Arbitraries.of('"', '{', '}', '[', ']', ',', ':', '\\', '\u0000', 'x', '\u00e9', ' ').list().ofSize(5))
                .as((positions, chars) -> {
                    StringBuilder b = new StringBuilder(text);
                    for (int i = 0; i < positions.size(); i++) {
                        int at = Math.min(positions.get(i), b.length());
                        if (i % 2 == 0) b.insert(at, chars.get(i));
                        else if (at < b.length()) b.deleteCharAt(at);
                    }
                    return b.toString();
                });
        Arbitrary<String> cut = Arbitraries.integers().between(0, text.length()).map(n -> text.substring(0, n));
        return Arbitraries.oneOf(edited, cut, deepNesting());
    }

    /** Lists or objects nested 10 to 5,000 levels deep, closed or not: recursive parsers overflow their stack here. */
    public static Arbitrary<String> deepNesting() {
        return Combinators.combine(Arbitraries.integers().between(10, 5_000), Arbitraries.of(true, false), Arbitraries.of(true, false))
                .as((depth, lists, closed) -> {
                    String open = lists ? "[" : "{\"custom_middleware\":";
                    String close = lists ? "]" : "}";
                    return open.repeat(depth) + "1" + (closed ? close.repeat(depth) : "");
                });
    }

    /** Any bytes, including text that is not UTF-8. */
    public static Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
    }

    private static JsonNode apply(JsonNode doc, Mutation m) {
        List<Slot> slots = new ArrayList<>();
        collect(doc, slots);
        if (slots.isEmpty()) return m.change == Change.REPLACE ? m.tree : doc;
        Slot s = slots.get(m.at % slots.size());
        JsonNode v = s.value();
        switch (m.change) {
            case REMOVE -> s.remove();
            case REPLACE -> s.set(m.tree);
            case WRONG_TYPE -> s.set(wrongType(v));
            case WRAP_IN_LIST -> s.set(NODES.arrayNode().add(v));
            case HUGE -> s.set(huge(v));
            case ADD_FIELD -> {
                if (v.isObject()) ((ObjectNode) v).set(m.word, m.tree);
                else s.set(m.tree);
            }
            case NULL -> s.set(NODES.nullNode());
        }
        return doc;
    }

    private static void collect(JsonNode node, List<Slot> out) {
        if (node.isObject()) {
            for (String f : iterable(node)) {
                out.add(new Slot(node, f, -1));
                collect(node.get(f), out);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                out.add(new Slot(node, null, i));
                collect(node.get(i), out);
            }
        }
    }

    private static List<String> iterable(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The value as another JSON type: text becomes a number, a number text, an object a list, and so on. */
    private static JsonNode wrongType(JsonNode v) {
        if (v.isTextual()) return NODES.numberNode(v.asText().length());
        if (v.isNumber()) return NODES.textNode(v.asText());
        if (v.isBoolean()) return NODES.textNode(v.asText());
        if (v.isObject()) return NODES.arrayNode().add(v);
        if (v.isArray()) return NODES.textNode(v.toString());
        return NODES.objectNode();
    }

    /** The value grown past anything sensible: 100,000 characters, 5,000 elements, 10^400. */
    private static JsonNode huge(JsonNode v) {
        if (v.isTextual()) return NODES.textNode(v.asText().isEmpty() ? "x".repeat(100_000) : v.asText().repeat(100_000 / v.asText().length() + 1));
        if (v.isArray()) {
            ArrayNode a = NODES.arrayNode();
            // numbers, not copies of the elements: copies of a value already made huge would make a
            // document of hundreds of MB, larger than any upload or config file could be
            for (int i = 0; i < 5_000; i++) a.add(i);
            return a;
        }
        if (v.isObject()) {
            ObjectNode o = v.deepCopy();
            for (int i = 0; i < 2_000; i++) o.put("f" + i, i);
            return o;
        }
        return NODES.numberNode(BigInteger.TEN.pow(400));
    }

    private static ArrayNode list(List<JsonNode> items) {
        ArrayNode a = NODES.arrayNode();
        a.addAll(items);
        return a;
    }

    private static ObjectNode object(java.util.Map<String, JsonNode> fields) {
        ObjectNode o = NODES.objectNode();
        o.setAll(fields);
        return o;
    }

    /** The document as the bytes a client would send. */
    public static byte[] toBytes(JsonNode doc) {
        try {
            return Json.MAPPER.writeValueAsBytes(doc);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
