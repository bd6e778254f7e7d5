package io.polygate.sdk.regex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * {@link BoundedRegex}: what RE2/J compiles within the size bound, the rest refused with
 * {@link PatternSyntaxException}; any string is one or the other (tries: 1,000, or 10,000 with
 * {@code -Pfuzz}).
 */
class BoundedRegexPropertyTest {
    @Example
    void countedRepetitionThatMultipliesPastTheBoundIsRefused() {
        // found by IdExtractorPropertyTest with -Pfuzz: this matched 64 KiB of "a" for more than 10 s
        assertThatThrownBy(() -> BoundedRegex.compile("(a{1000}){1000}")).isInstanceOf(BoundedRegex.TooLarge.class)
                .hasMessageContaining("too large: it compiles to more than 1000 steps");
        assertThatThrownBy(() -> BoundedRegex.compile("(?:[a-z]{100}|x){11}")).isInstanceOf(BoundedRegex.TooLarge.class);
        assertThatThrownBy(() -> BoundedRegex.compile("\\Q" + "x".repeat(1001) + "\\E")).isInstanceOf(BoundedRegex.TooLarge.class);
    }

    @Example
    void patternsOfIdsAndPathsCompile() {
        for (String ok : new String[] {"Bearer (\\w+)", "[0-9a-f]{64}", "a{1000}", "(a{10}){50}", "^/users/([^/]+)/orders/\\d{1,10}/?$",
                "(?i)KEY-(\\d+)", "(?P<id>\\d+)", "[[:alpha:]]+", "\\p{Greek}{2,}", "x{2,}", "{", "a{,5}", "(a+)+$"})
            assertThat(BoundedRegex.compile(ok).pattern()).isEqualTo(ok);
    }

    @Example
    void syntaxErrorsAreRe2sOwn() {
        assertThatThrownBy(() -> BoundedRegex.compile("(a)\\1")).isInstanceOf(PatternSyntaxException.class)
                .isNotInstanceOf(BoundedRegex.TooLarge.class);
    }

    @Property
    void anyStringCompilesWithinTheBoundOrIsRefused(@ForAll("regexes") String regex) {
        Pattern p;
        try {
            p = BoundedRegex.compile(regex);
        } catch (PatternSyntaxException e) {
            assertThat(e.getDescription()).isNotBlank();
            Statistics.collect(e instanceof BoundedRegex.TooLarge ? "too large" : "syntax");
            return;
        }
        Statistics.collect("compiled");
        assertThat(p.matcher("a".repeat(200) + "!").find()).isIn(true, false);
    }

    @Provide
    Arbitrary<String> regexes() {
        Arbitrary<String> syntax = Arbitraries.strings().withChars("()[]{}|*+?.^$\\:<>P=!-,aAbx019dwsQE").ofMaxLength(30);
        Arbitrary<String> counted = Arbitraries.of("a", "(ab)", "[a-z]", "(?:a|b)", "\\d", ".")
                .list().ofMinSize(1).ofMaxSize(4)
                .flatMap(atoms -> Arbitraries.integers().between(0, 1200).list().ofSize(atoms.size()).map(counts -> {
                    StringBuilder b = new StringBuilder();
                    for (int i = 0; i < atoms.size(); i++) b.insert(0, "(").append(atoms.get(i)).append("){").append(counts.get(i)).append("})");
                    return b.toString();
                }));
        return Arbitraries.frequencyOf(Tuple.of(3, syntax), Tuple.of(2, counted), Tuple.of(1, Arbitraries.strings().all().ofMaxLength(30)));
    }
}
