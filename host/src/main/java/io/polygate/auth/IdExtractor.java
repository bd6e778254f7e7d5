package io.polygate.auth;

import io.polygate.chain.Exchange;
import io.polygate.plugin.HookState;
import io.polygate.sdk.manifest.IdExtractorSpec;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;

/**
 * Reads a request's identity as a bundle's {@code id_extractor} says: a header, a form field, a
 * query parameter or the body, whole or through a regular expression. Thread-safe and stateless.
 */
public final class IdExtractor {
    private final IdExtractorSpec spec;

    public IdExtractor(IdExtractorSpec spec) { this.spec = spec; }

    /** The id, or null when the request has none (the auth hook then runs uncached). */
    public String extract(Exchange exchange) {
        String raw = switch (spec.extractFrom()) {
            case HEADER -> exchange.headers().get(spec.name());
            case QUERYSTRING -> HookState.params(exchange.query()).get(spec.name());
            case FORM -> HookState.params(new String(HookState.body(exchange), StandardCharsets.UTF_8)).get(spec.name());
            case BODY -> new String(HookState.body(exchange), StandardCharsets.UTF_8);
        };
        if (raw == null || raw.isEmpty()) return null;
        if (spec.extractWith() == IdExtractorSpec.With.VALUE) return raw;
        Matcher m = spec.regex().matcher(raw);
        if (!m.find()) return null;
        String id = m.group(spec.regexMatchIndex());
        return id == null || id.isEmpty() ? null : id;
    }
}
