package io.polygate.observability;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which client request ids are kept, and what a new one looks like. */
class RequestIdsTest {
    @Test
    void keepsAVisibleAsciiIdUpTo128Characters() {
        assertThat(RequestIds.of("abc-123_x.y:z")).isEqualTo("abc-123_x.y:z");
        assertThat(RequestIds.of("x".repeat(128))).isEqualTo("x".repeat(128));
    }

    @Test
    void replacesAMissingEmptyLongOrGarbledId() {
        for (String sent : new String[] {null, "", "x".repeat(129), "has space", "tab\there", "new\nline", "caf\u00e9"})
            assertThat(RequestIds.of(sent)).as(String.valueOf(sent)).matches("[0-9a-f]{32}");
    }

    @Test
    void newIdsDiffer() {
        assertThat(RequestIds.generate()).isNotEqualTo(RequestIds.generate());
    }
}
