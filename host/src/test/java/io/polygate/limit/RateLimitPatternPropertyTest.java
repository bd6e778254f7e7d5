package io.polygate.limit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.chain.Exchange;
import io.polygate.chain.Outcome;
import io.polygate.chain.Phase;
import io.polygate.chain.Step;
import io.polygate.config.ConfigErrors;
import io.polygate.config.LimitDefinitions;
import io.polygate.config.Node;
import io.polygate.sdk.json.Json;
import io.polygate.sdk.testing.JsonArbitraries;
import io.polygate.session.PolicyStore;
import io.polygate.session.SessionStore;
import io.polygate.testing.TryStep;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.statistics.Statistics;
import org.eclipse.jetty.http.HttpTester;

/**
 * Counter identifiers (a key's or policy's {@code meta_data.rate_limit_pattern}, an API limit's
 * {@code key}) of any shape: refused at load with the field named, or parsed and resolved on a
 * real Jetty request with any headers and any session metadata to a counter key or to none (the
 * credential is used then), never an exception (tries: 1,000, or 10,000 with {@code -Pfuzz}).
 */
class RateLimitPatternPropertyTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> GOOD_PARTS = List.of("$headers.X-App", "$headers.x-app", "$pathParams.id", "$authn.sub",
            "$tyk_meta.DeveloperID", "$tyk_meta.PlanID", "$tyk_meta.nested", "$ip", "plan", "(a+)+$", "\u00e9\u4e2d", "${x}");
    private static final List<String> BAD_PARTS = List.of("$headers.", "$headers", "$pathParams.", "$ip.x", "$body.user",
            "$query.x", "$", "$$", "", " ", "|");
    private static final List<String> PARTS = java.util.stream.Stream.concat(GOOD_PARTS.stream(), BAD_PARTS.stream()).toList();
    private static final List<String> META_FIELDS = List.of("DeveloperID", "PlanID", "nested", "sub", "rate_limit_pattern");

    /** Where a pattern is loaded from. */
    enum Source { KEY, POLICY, API_LIMIT }

    private TryStep step;

    @BeforeProperty
    void startGateway() throws Exception { step = TryStep.serve(); }

    @AfterProperty
    void stopGateway() throws Exception { step.close(); }

    /**
     * No generated edge cases: the four parameters' combinations of them grow faster than the
     * tries (10,000 tries took 258 s with them, 8 s without); the part lists name the edge values.
     */
    @Property(edgeCases = EdgeCasesMode.NONE)
    void aPatternIsRefusedAtLoadOrResolvesOnAnyRequest(@ForAll("patterns") JsonNode pattern, @ForAll Source source,
            @ForAll("metadata") JsonNode meta, @ForAll("headerValues") String header) throws Exception {
        String refusal = load(source, pattern);
        if (refusal != null) {
            Statistics.collect(source, "refused at load");
            // a pattern that is not text may already fail the binding of meta_data (a field name over Jackson's limit)
            String field = source == Source.API_LIMIT ? "global_rate_limit.key" : "meta_data";
            assertThat(refusal).startsWith(field);
            assertThat(refusal.substring(field.length())).hasSizeGreaterThan(4);
            return;
        }
        if (!pattern.isTextual()) {
            Statistics.collect(source, "absent");
            return;
        }
        Identifier id = Identifier.parse(pattern.asText());
        @SuppressWarnings("unchecked")
        Map<String, Object> metaData = Json.MAPPER.convertValue(meta, Map.class);
        AtomicReference<String> resolved = new AtomicReference<>();
        step.next(new Step() {
            @Override public String name() { return "rate_limit_pattern under test"; }

            @Override public Phase phase() { return Phase.LIMIT; }

            @Override
            public Outcome apply(Exchange exchange) {
                resolved.set(id.resolve(exchange, Map.of("id", header), metaData));
                return Outcome.CONTINUE;
            }
        });
        HttpTester.Response r = step.kit().get("/", "X-App", header);
        if (step.seen() == null) {
            Statistics.collect(source, "request refused by Jetty (" + r.getStatus() + ")");
            return;
        }
        assertThat(r.getStatus()).isEqualTo(200);
        String counter = resolved.get();
        if (counter != null) assertThat(counter).isNotEmpty();
        Statistics.collect(source, counter == null ? "resolved to none" : "resolved");
    }

    /** Patterns: parts joined by '|' (with blanks around, empty parts, unknown sources), any text, huge, not a string at all. */
    @Provide
    Arbitrary<JsonNode> patterns() {
        Arbitrary<String> part = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.of(GOOD_PARTS)), Tuple.of(1, Arbitraries.of(BAD_PARTS)));
        Arbitrary<String> joined = part.list().ofMinSize(1).ofMaxSize(5)
                .flatMap(parts -> Arbitraries.of("|", " | ", "||").map(sep -> String.join(sep, parts)));
        Arbitrary<JsonNode> text = Arbitraries.frequencyOf(Tuple.of(6, joined), Tuple.of(2, JsonArbitraries.strings(PARTS)))
                .map(NODES::textNode);
        return Arbitraries.frequencyOf(Tuple.of(8, text), Tuple.of(1, JsonArbitraries.scalars(PARTS)),
                Tuple.of(1, JsonArbitraries.trees(PARTS, 2)));
    }

    /** Session metadata with values of every type under the fields patterns name. */
    @Provide
    Arbitrary<JsonNode> metadata() {
        return Arbitraries.maps(Arbitraries.of(META_FIELDS), JsonArbitraries.trees(META_FIELDS, 2)).ofMaxSize(4)
                .map(fields -> {
                    ObjectNode o = NODES.objectNode();
                    o.setAll(fields);
                    return o;
                });
    }

    @Provide
    Arbitrary<String> headerValues() {
        return Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(40)),
                Tuple.of(1, Arbitraries.of("", " ", "a|b", "x".repeat(8_000))));
    }

    /** Why the pattern is refused where {@code source} loads it (the first error), or null when it is accepted. */
    private static String load(Source source, JsonNode pattern) {
        ConfigErrors errors = new ConfigErrors();
        switch (source) {
            case KEY, POLICY -> {
                ObjectNode body = NODES.objectNode().put("id", "p").put("rate", 10).put("per", 1);
                body.putObject("meta_data").set("rate_limit_pattern", pattern);
                if (source == Source.KEY) SessionStore.parse(body.without("id").toString(), errors);
                else PolicyStore.parse(body.toString(), null, errors);
            }
            case API_LIMIT -> {
                ObjectNode api = NODES.objectNode();
                api.putObject("global_rate_limit").put("rate", 10).put("per", 1).set("key", pattern);
                LimitDefinitions.limit(new Node(api, "", errors).child("global_rate_limit"), false);
            }
        }
        return errors.isEmpty() ? null : errors.list().get(0);
    }
}
