package io.polygate;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.Slice;

/**
 * The package graph of the gateway (README "Architecture"): no cycle between top-level packages,
 * and each layer uses only the layers below it. A package's {@code package-info.java} says what it
 * owns and what it may use; this test holds the code to it.
 */
@AnalyzeClasses(packages = "io.polygate", importOptions = {ImportOption.DoNotIncludeTests.class, ImportOption.DoNotIncludeJars.class})
class ArchitectureTest {
    private static final String[] BASE = {"Config", "Observability", "Storage", "Session"};

    @ArchTest
    static final ArchRule topLevelPackagesAreFreeOfCycles =
            slices().matching("io.polygate.(*)..").should().beFreeOfCycles();

    /** {@code limit} holds the contracts its subpackages implement; it never uses them (the wiring picks them). */
    @ArchTest
    static final ArchRule limitAndItsSubpackagesAreFreeOfCycles = packagesWithinAreFreeOfCycles("limit");

    /** {@code storage} holds the ports its subpackages implement. */
    @ArchTest
    static final ArchRule storageAndItsSubpackagesAreFreeOfCycles = packagesWithinAreFreeOfCycles("storage");

    /** {@code plugin} holds the hook contracts; {@code plugin.polyglot} runs them in GraalVM. */
    @ArchTest
    static final ArchRule pluginAndItsSubpackagesAreFreeOfCycles = packagesWithinAreFreeOfCycles("plugin");

    @ArchTest
    static final ArchRule eachLayerUsesOnlyTheLayersBelowIt = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("Gateway").definedBy("io.polygate")
            .layer("Admin").definedBy("io.polygate.admin..")
            .layer("Assembly").definedBy("io.polygate.assembly..")
            .layer("Bundle").definedBy("io.polygate.bundle..")
            .layer("Auth").definedBy("io.polygate.auth..")
            .layer("Access").definedBy("io.polygate.access..")
            .layer("Limit").definedBy("io.polygate.limit..")
            .layer("Plugin").definedBy("io.polygate.plugin..")
            .layer("Proxy").definedBy("io.polygate.proxy..")
            .layer("Chain").definedBy("io.polygate.chain..")
            .layer("Session").definedBy("io.polygate.session..")
            .layer("Storage").definedBy("io.polygate.storage..")
            .layer("Config").definedBy("io.polygate.config..")
            .layer("Observability").definedBy("io.polygate.observability..")
            .whereLayer("Gateway").mayNotBeAccessedByAnyLayer()
            .whereLayer("Admin").mayOnlyAccessLayers(with("Assembly", "Bundle", "Limit", "Chain"))
            .whereLayer("Assembly").mayOnlyAccessLayers(with("Bundle", "Access", "Auth", "Limit", "Plugin", "Proxy", "Chain"))
            .whereLayer("Bundle").mayOnlyAccessLayers(with("Auth", "Plugin", "Proxy", "Chain"))
            .whereLayer("Auth").mayOnlyAccessLayers(with("Plugin", "Chain"))
            .whereLayer("Access").mayOnlyAccessLayers(with("Chain"))
            .whereLayer("Limit").mayOnlyAccessLayers(with("Chain"))
            .whereLayer("Plugin").mayOnlyAccessLayers(with("Proxy", "Chain"))
            .whereLayer("Proxy").mayOnlyAccessLayers(with("Chain"))
            .whereLayer("Chain").mayOnlyAccessLayers(BASE)
            .whereLayer("Session").mayOnlyAccessLayers("Config", "Storage")
            .whereLayer("Storage").mayOnlyAccessLayers("Config")
            .whereLayer("Config").mayNotAccessAnyLayer()
            .whereLayer("Observability").mayNotAccessAnyLayer();

    /** No cycle between {@code io.polygate.<area>} and its subpackages, each one a slice. */
    private static ArchRule packagesWithinAreFreeOfCycles(String area) {
        return slices().matching("io.polygate.(**)")
                .that(DescribedPredicate.describe(area + " and its subpackages",
                        (Slice s) -> s.getNamePart(1).equals(area) || s.getNamePart(1).startsWith(area + ".")))
                .should().beFreeOfCycles();
    }

    /** {@code layers} plus the base every layer above it may use. */
    private static String[] with(String... layers) {
        String[] all = java.util.Arrays.copyOf(layers, layers.length + BASE.length);
        System.arraycopy(BASE, 0, all, layers.length, BASE.length);
        return all;
    }
}
