package io.polygate.sdk.manifest;

import java.util.List;

/** A bundle's manifest is not usable; {@link #problems()} lists each problem with its field path. */
public final class ManifestException extends Exception {
    private final List<String> problems;

    public ManifestException(String bundle, List<String> problems) {
        super("bundle \"" + bundle + "\": manifest.json: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() { return problems; }
}
