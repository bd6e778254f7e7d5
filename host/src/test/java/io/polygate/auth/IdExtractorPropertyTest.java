package io.polygate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.polygate.sdk.manifest.BundleManifest;
import io.polygate.sdk.manifest.IdExtractorSpec;
import io.polygate.sdk.manifest.ManifestException;
import io.polygate.session.SessionCache;
import io.polygate.testing.TryStep;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.statistics.Statistics;
import org.eclipse.jetty.http.HttpTester;

/**
 * A bundle's {@code id_extractor} with any settings, regexes of backtracking shape included
 * ({@code (a+)+$}), on any request: the manifest is refused at load with
 * {@link ManifestException} naming the problem, or the extractor reads an id or none from a real
 * Jetty request, which goes on (200 from the echo upstream); it never fails the request with a
 * 500. Values are bounded (64 KiB) and the regexes are RE2/J's, so no try can run long (tries:
 * 1,000, or 10,000 with {@code -Pfuzz}).
 */
class IdExtractorPropertyTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> NAMES = List.of("X-User", "Authorization", "user", "id", "", " ", "Bad Name", "\u00e9");

    /** Regexes: backtracking shapes, RE2 refusals (backreferences, lookaround), syntax errors, huge repeats, any text. */
    private static final List<String> REGEXES = List.of("(a+)+$", "(a|aa)+$", "(.*a){20}", "^(\\w+\\s?)*$", "(x+x+)+y",
            "Bearer (\\w+)", "user=([^&]+)", "(a)\\1", "(?=a)a", "(?<=a)b", "(?!x)", "[", "(", "a{1001}", "(a{1000}){1000}",
            "((((((((((a))))))))))", "\\p{Greek}+", "\\pN", "[[:alpha:]]", "(?i)KEY-(\\d+)", "(?P<id>\\d+)", "(?<id>\\d+)",
            "$", "^", "", ".*", "\\", "a**", "\\Q(\\E", "\\C", "\\z", "(?s).", "[^\\x00-\\x{10FFFF}]");

    private TryStep step;

    @BeforeProperty
    void startGateway() throws Exception { step = TryStep.serve(); }

    @AfterProperty
    void stopGateway() throws Exception { step.close(); }

    @Property
    void anExtractorIsRefusedAtLoadOrReadsAnIdOrNoneWithoutFailingTheRequest(
            @ForAll("extractors") ObjectNode idExtractor, @ForAll("values") String value) throws Exception {
        IdExtractorSpec spec;
        try {
            spec = load(idExtractor);
        } catch (ManifestException e) {
            assertThat(e.problems()).isNotEmpty().allSatisfy(p -> assertThat(p).startsWith("custom_middleware.id_extractor"));
            Statistics.collect("refused at load");
            return;
        }
        if (spec == null) {
            Statistics.collect("no extractor (empty extract_from)");
            return;
        }
        step.next(new SessionCacheStep("fuzz", new IdExtractor(spec), new SessionCache(), InstantSource.system()));
        HttpTester.Response r = step.kit().send(request(spec, value));
        if (step.seen() == null) {
            Statistics.collect("request refused by Jetty (" + r.getStatus() + ")");
            return;
        }
        assertThat(r.getStatus()).as("the request goes on: %s", r.getContent()).isEqualTo(200);
        String id = step.seen().extractedId();
        if (id != null) assertThat(id).isNotEmpty();
        Statistics.collect(spec.extractFrom() + " " + spec.extractWith() + (id == null ? " no id" : " id"));
    }

    @Provide
    Arbitrary<ObjectNode> extractors() {
        Arbitrary<String> from = Arbitraries.of("header", "form", "querystring", "query", "body", "HEADER", "cookie", "");
        Arbitrary<String> with = Arbitraries.of("value", "regex", "regex", "regex", "xpath", "", "REGEX", "jsonpath");
        Arbitrary<String> regex = Arbitraries.frequencyOf(Tuple.of(5, Arbitraries.of(REGEXES)),
                Tuple.of(2, Arbitraries.strings().withChars("()[]{}|*+?.^$\\aAb1:-=wsdDpP<>!&").ofMaxLength(20)),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(20)));
        Arbitrary<String> xpath = Arbitraries.of("//user/@id", "/a/b/text()", "count(//*)", "//user[@", "", "1 div 0",
                "concat(/a, /b)", "//*[name()='x']", "string(/)", "))", "document('http://x')", "/a/b/c/d/e/f/g/h");
        Arbitrary<Integer> matchIndex = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.of(0, 1)), Tuple.of(1, Arbitraries.integers().between(-1, 3)));
        return Combinators.combine(from, with, Arbitraries.of(NAMES), regex, matchIndex, xpath)
                .as((f, w, name, re, index, xp) -> {
                    ObjectNode cfg = NODES.objectNode().put("header_name", name).put("param_name", name)
                            .put("regex_expression", re).put("regex_match_index", index).put("xpath_expression", xp);
                    return NODES.objectNode().put("extract_from", f).put("extract_with", w).set("extractor_config", cfg);
                });
    }

    /** Values up to 64 KiB: ids, what backtracking regexes choke on, XML, broken percent-encoding, any text. */
    @Provide
    Arbitrary<String> values() {
        Arbitrary<String> attack = Arbitraries.integers().between(1, 65_536).withoutEdgeCases().map(n -> "a".repeat(n) + "!");
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of("alice", "Bearer abc123", "KEY-42", "<user id=\"7\"/>", "<a><b>x</b></a>",
                        "<!DOCTYPE a [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><a>&e;</a>", "%zz", "%", "%E2%82", "a%00b",
                        "\u00e9\u4e2d", "user=bob&id=1", "=", "&&&", "x".repeat(10_000))),
                Tuple.of(2, attack),
                Tuple.of(3, Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(60)),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(60)));
    }

    /** The spec the manifest yields, or null when it has no extractor; a manifest is how a bundle's settings reach the gateway. */
    private static IdExtractorSpec load(ObjectNode idExtractor) throws ManifestException {
        ObjectNode manifest = NODES.objectNode();
        manifest.putArray("file_list").add("middleware.py");
        ObjectNode cm = manifest.putObject("custom_middleware").put("driver", "python");
        cm.putObject("auth_check").put("name", "Auth");
        cm.set("id_extractor", idExtractor);
        return BundleManifest.parse("fuzz", manifest.toString().getBytes(StandardCharsets.UTF_8)).customMiddleware().idExtractor();
    }

    /** A raw request carrying {@code value} (as UTF-8) where the extractor reads, as a client could send it. */
    private static String request(IdExtractorSpec spec, String value) {
        String name = spec.name() == null ? "X-Unused" : spec.name();
        String v = wire(value);
        return switch (spec.extractFrom()) {
            case HEADER -> "GET / HTTP/1.1\r\nHost: local\r\n" + name + ": " + v + "\r\nConnection: close\r\n\r\n";
            case QUERYSTRING -> "GET /?" + name + "=" + v + " HTTP/1.1\r\nHost: local\r\nConnection: close\r\n\r\n";
            case FORM -> post("application/x-www-form-urlencoded", wire(name) + "=" + v);
            case BODY -> post("application/xml", v);
        };
    }

    private static String post(String type, String body) {
        return "POST / HTTP/1.1\r\nHost: local\r\nContent-Type: " + type + "\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body;
    }

    /** The UTF-8 bytes of {@code s}, one char each: the local connector sends each char as one byte. */
    private static String wire(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }
}
