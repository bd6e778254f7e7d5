package io.polygate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.polygate.config.ApiDefinition;
import io.polygate.sdk.testing.JsonArbitraries;
import io.polygate.session.Policy;
import io.polygate.session.Session;
import io.polygate.testing.FuzzDocuments;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The admin API's body parsing ({@code /apis}, {@code /keys}, {@code /policies} and their Tyk
 * twins, {@link AdminRequests}) on any body: it yields the value, or the one admin error, a 400
 * whose JSON answer names the problem; never another exception, which would be a 500 (tries:
 * 1,000, or 10,000 with {@code -Pfuzz}).
 */
class AdminBodiesPropertyTest {
    /** What a body is sent to, with the seed documents mutated for it. */
    enum Resource {
        API(FuzzDocuments.FLAT_API, FuzzDocuments.API_FIELDS),
        TYK_API(FuzzDocuments.TYK_API, FuzzDocuments.API_FIELDS),
        KEY(FuzzDocuments.SESSION, FuzzDocuments.SESSION_FIELDS),
        POLICY(FuzzDocuments.POLICY, FuzzDocuments.SESSION_FIELDS),
        POLICY_AT_ITS_PATH(FuzzDocuments.POLICY, FuzzDocuments.SESSION_FIELDS);

        final JsonNode seed;
        final List<String> fields;

        Resource(JsonNode seed, List<String> fields) {
            this.seed = seed;
            this.fields = fields;
        }

        /** Parses as the resource does before it changes anything. */
        Object parse(String body) {
            return switch (this) {
                case API, TYK_API -> AdminRequests.parseApi(AdminRequests.jsonObject(body));
                case KEY -> AdminRequests.parseSession(body);
                case POLICY -> AdminRequests.parsePolicy(body, null);
                case POLICY_AT_ITS_PATH -> AdminRequests.parsePolicy(body, "gold");
            };
        }
    }

    record Body(Resource resource, String text) {}

    @Example
    void theSeedBodiesParse() {
        for (Resource r : Resource.values()) assertThat(r.parse(r.seed.toString())).as(r.name()).isNotNull();
    }

    @Property
    void anyBytesAreAValueOrA400NamingTheProblem(@ForAll Resource resource, @ForAll("bytes") byte[] body) {
        parsesOrAnswers400(new Body(resource, new String(body, StandardCharsets.UTF_8)));
    }

    @Property
    void anyJsonTreeIsAValueOrA400NamingTheProblem(@ForAll Resource resource, @ForAll("trees") JsonNode body) {
        parsesOrAnswers400(new Body(resource, body.toString()));
    }

    @Property
    void aValidBodyMutatedIsAValueOrA400NamingEachWrongField(@ForAll("mutated") Body body) {
        parsesOrAnswers400(body);
    }

    @Property
    void almostJsonIsA400NamingTheProblem(@ForAll("broken") Body body) {
        parsesOrAnswers400(body);
    }

    @Provide
    Arbitrary<byte[]> bytes() { return JsonArbitraries.bytes(); }

    @Provide
    Arbitrary<JsonNode> trees() { return JsonArbitraries.trees(FuzzDocuments.SESSION_FIELDS, 5); }

    @Provide
    Arbitrary<Body> mutated() {
        return Arbitraries.of(Resource.class).flatMap(r -> JsonArbitraries.mutations(r.seed, r.fields).map(doc -> new Body(r, doc.toString())));
    }

    @Provide
    Arbitrary<Body> broken() {
        return Arbitraries.of(Resource.class).flatMap(r -> JsonArbitraries.brokenText(r.seed).map(text -> new Body(r, text)));
    }

    private static void parsesOrAnswers400(Body body) {
        Object value;
        try {
            value = body.resource().parse(body.text());
        } catch (AdminError e) {
            Statistics.collect(body.resource(), "400");
            assertThat(e.status).isEqualTo(400);
            assertThat(e.getMessage()).isNotBlank();
            if (e.problems != null) assertThat(e.problems).isNotEmpty().allSatisfy(p -> assertThat(p.error()).isNotBlank());
            JsonNode answer = readAnswer(e.body(false));
            assertThat(answer.path("status").asInt()).isEqualTo(400);
            if (e.problems != null) assertThat(answer.path("field_errors").size()).isEqualTo(e.problems.size());
            assertThat(answer.path("error").asText()).isEqualTo(e.getMessage());
            assertThat(readAnswer(e.body(true)).path("message").asText()).isEqualTo(e.getMessage());
            return;
        }
        Statistics.collect(body.resource(), "parsed");
        switch (value) {
            case ApiDefinition api -> assertThat(api.listenPath()).startsWith("/");
            case Session s -> assertThat(s.rate).isNotNegative();
            case Policy p -> assertThat(p.id).matches("[A-Za-z0-9._~-]{1,128}");
            default -> throw new AssertionError("unexpected value " + value);
        }
    }

    private static JsonNode readAnswer(byte[] body) {
        try {
            return AdminRequests.JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new AssertionError("the error answer is not JSON", e);
        }
    }
}
