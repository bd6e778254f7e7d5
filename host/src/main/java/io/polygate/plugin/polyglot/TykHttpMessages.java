package io.polygate.plugin.polyglot;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.polygate.plugin.HookRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpField;

/** Tyk's JSON shapes of plugin HTTP calls, and Go's renderings of headers and forms they use. Stateless. */
final class TykHttpMessages {
    private TykHttpMessages() {}

    /** Tyk's {@code TykJSHttpRequest}: the argument of {@code TykMakeHttpRequest}. */
    record TykRequest(@JsonProperty("Method") String method, @JsonProperty("Domain") String domain,
                      @JsonProperty("Resource") String resource, @JsonProperty("Headers") Map<String, String> headers,
                      @JsonProperty("Body") String body, @JsonProperty("FormData") Map<String, String> formData) {}

    /** Tyk's {@code BatchRequestStructure} and its {@code RequestDefinition}s (absolute URLs from plugins). */
    record Batch(@JsonProperty("requests") List<BatchItem> requests,
                 @JsonProperty("suppress_parallel_execution") boolean sequential) {}

    record BatchItem(@JsonProperty("method") String method, @JsonProperty("headers") Map<String, String> headers,
                     @JsonProperty("body") String body, @JsonProperty("relative_url") String url) {}

    /** Response headers as Go's {@code http.Header}: canonical names, each with its list of values. */
    static Map<String, List<String>> goHeaders(ContentResponse r) {
        Map<String, List<String>> out = new TreeMap<>();
        for (HttpField f : r.getHeaders()) out.computeIfAbsent(HookRequest.canonical(f.getName()), k -> new ArrayList<>()).add(f.getValue());
        return out;
    }

    /** Go's {@code url.Values.Encode}: sorted by key. */
    static String formEncode(Map<String, String> form) {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(form).forEach((k, v) -> {
            if (!b.isEmpty()) b.append('&');
            b.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(str(v), StandardCharsets.UTF_8));
        });
        return b.toString();
    }

    /** Go's zero string for a missing JSON field. */
    static String str(String s) { return s == null ? "" : s; }
}
