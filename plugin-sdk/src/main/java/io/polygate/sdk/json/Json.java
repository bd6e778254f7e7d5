package io.polygate.sdk.json;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Every JSON mapper of Polygate, gateway and SDK alike, so that one document reads the same
 * wherever it comes from (a Tyk session from a hook, the store or the admin API). The members are
 * thread-safe and shared; never reconfigure one.
 *
 * <p>What every member does ({@link #MAPPER} does only this; the settings are written out, not
 * left to Jackson's defaults):
 * <ul>
 *   <li>a float for an integer field is accepted and its fraction dropped ({@code "quota_max": 100.0}
 *       is 100, {@code "expires": 1.7e9} is 1700000000): Tyk's session JSON has float fields
 *       ({@code rate}, {@code per}, {@code allowance}), Python guests send floats where they did
 *       arithmetic and JS guests know only floats;</li>
 *   <li>{@code null} leaves a field at its default ({@code "quota_max": null} is -1, "unlimited"),
 *       as Go's {@code encoding/json}, which Tyk's documents are written for, does;</li>
 *   <li>a number or boolean written as a string ({@code "10"}, {@code "true"}) is taken as one;</li>
 *   <li>a property the type does not declare fails the read, unless the type keeps such
 *       properties itself ({@code @JsonAnySetter}: sessions, policies);</li>
 *   <li>a key twice in one object: the last one counts;</li>
 *   <li>output is compact.</li>
 * </ul>
 * The other members differ in one setting each, named by the member.
 */
public final class Json {
    /** The shared settings and nothing else: admin bodies and answers, the store's records, sessions, hook state. */
    public static final ObjectMapper MAPPER = shared(JsonMapper.builder()).build();

    /** Indented output, for what people read: files in {@code apis_dir}, a built manifest, the CLI's output. */
    public static final ObjectMapper PRETTY = shared(JsonMapper.builder()).enable(SerializationFeature.INDENT_OUTPUT).build();

    /**
     * Refuses a key twice in one object, for manifests whose checksum and signature are checked:
     * parsers disagree on which duplicate counts, and the tree verified must be the tree loaded.
     */
    public static final ObjectMapper NO_DUPLICATE_KEYS = shared(JsonMapper.builder())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /**
     * Ignores properties the type does not declare, for the arguments guest code passes to the
     * host ({@code TykMakeHttpRequest}, {@code TykBatchRequest}): Tyk's Go decoder ignores them,
     * and plugins written for Tyk send fields Polygate has no use for.
     */
    public static final ObjectMapper GUEST_ARGUMENTS = shared(JsonMapper.builder())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private Json() {}

    /** The shared settings over another format with Jackson's JSON model (the gateway's YAML config). */
    public static ObjectMapper of(JsonFactory format) {
        return shared(JsonMapper.builder(format)).build();
    }

    private static JsonMapper.Builder shared(JsonMapper.Builder b) {
        return b.enable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .defaultSetterInfo(JsonSetter.Value.forValueNulls(Nulls.SKIP))
                .enable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(SerializationFeature.INDENT_OUTPUT);
    }
}
