package io.polygate.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.polygate.config.ApiDefinition;
import io.polygate.config.ApiDefinitions;
import io.polygate.config.ConfigErrors;
import io.polygate.config.Node;
import java.io.IOException;

/** API definitions as users write them (YAML or JSON), read by the gateway's own parser. */
public final class TestApis {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private TestApis() {}

    /** The definition; a definition the gateway would refuse fails the test with its errors. */
    public static ApiDefinition parse(String yaml) {
        ConfigErrors errors = new ConfigErrors();
        ApiDefinition api;
        try {
            api = ApiDefinitions.parse(new Node(YAML.readTree(yaml), "", errors));
        } catch (IOException e) {
            throw new AssertionError("not YAML: " + yaml, e);
        }
        if (api == null) throw new AssertionError("refused API definition " + errors.list() + ":\n" + yaml);
        return api;
    }
}
