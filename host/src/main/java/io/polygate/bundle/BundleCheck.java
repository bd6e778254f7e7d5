package io.polygate.bundle;

import io.polygate.bundle.BundleStore.Refused;
import io.polygate.config.GatewayConfig.BundlesConfig;
import io.polygate.sdk.bundle.BundleArchive;
import io.polygate.sdk.bundle.BundleException;
import io.polygate.sdk.bundle.BundleLimits;
import io.polygate.sdk.bundle.BundleVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code polygate check} of {@code bundles_dir}: every bundle there (folder or zip) goes through
 * what the gateway does before it loads a bundle's code, with the configured limits and public
 * key: safe unpacking, manifest, {@code file_list}, checksum, signatures. The code itself is not
 * loaded (that needs the plugin runtime; {@code polygate plugin run} does it).
 */
public final class BundleCheck {
    private BundleCheck() {}

    /** Every problem found, each naming the folder or zip; empty when all is well or there is no {@code dir}. */
    public static List<String> problems(Path dir, BundlesConfig config) {
        List<String> problems = new ArrayList<>();
        if (!Files.exists(dir)) return problems;
        BundleVerifier verifier;
        try {
            verifier = BundlePreparer.verifier(config);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            verifier = BundleVerifier.checksumOnly();
        }
        List<String> names;
        try {
            names = BundleFolder.names(dir);
        } catch (IOException e) {
            problems.add("bundles_dir: cannot list " + dir + ": " + e.getMessage());
            return problems;
        }
        BundleLimits limits = BundlePreparer.limits(config);
        for (String name : names) {
            Path entry = BundleFolder.entry(dir, name);
            try {
                check(name, entry, verifier, limits);
            } catch (Refused e) {
                problems.add(entry + ": " + e.getMessage());
            }
        }
        return problems;
    }

    private static void check(String name, Path entry, BundleVerifier verifier, BundleLimits limits) throws Refused {
        if (Files.isDirectory(entry)) {
            BundlePreparer.verified(verifier, name, entry);
            return;
        }
        Path unpacked = null;
        try {
            unpacked = Files.createTempDirectory("polygate-check-");
            BundlePreparer.verified(verifier, name, BundleArchive.extract(name, entry, unpacked.resolve(name), limits));
        } catch (BundleException e) {
            throw new Refused(Refused.Reason.INVALID, e.getMessage());
        } catch (IOException e) {
            throw new Refused(Refused.Reason.UNPACK_FAILED, "bundle \"" + name + "\": cannot be unpacked: " + e.getMessage());
        } finally {
            BundlePreparer.deleteTree(unpacked);
        }
    }
}
