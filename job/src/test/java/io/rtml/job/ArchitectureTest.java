package io.rtml.job;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layers of ARCHITECTURE.md, checked on the production classes of both modules: the job's
 * (target/classes) and the udfs jar on the test class path.
 */
class ArchitectureTest {
    private static JavaClasses classes;

    /** The udfs test-jar is on the class path too; its helpers are not production code. */
    private static final ImportOption NO_TEST_JARS =
            (Location location) -> !location.contains("-tests.jar");

    @BeforeAll
    static void importClasses() {
        classes =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .withImportOption(NO_TEST_JARS)
                        .importPackages("io.rtml");
    }

    @Test
    void importsTheProductionClassesOfBothModulesAndNoTests() {
        assertThat(classes.stream().map(JavaClass::getName))
                .contains(
                        "io.rtml.job.Pipeline",
                        "io.rtml.job.config.RtmlConfig",
                        "io.rtml.event.EventParser",
                        "io.rtml.features.EntityFeatures",
                        "io.rtml.inference.ModelArtifact",
                        "io.rtml.sink.RedisSink",
                        "io.rtml.dlq.DeadLetter",
                        "io.rtml.metrics.MetricNames")
                .doesNotContain(
                        ArchitectureTest.class.getName(),
                        "io.rtml.job.testing.Repository",
                        "io.rtml.testing.ShippedModel");
    }

    @Test
    void udfsNeverDependOnTheJob() {
        ArchRule rule =
                noClasses()
                        .that()
                        .resideInAPackage("io.rtml..")
                        .and()
                        .resideOutsideOfPackage("io.rtml.job..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAPackage("io.rtml.job..")
                        .because(
                                "udfs are the job's building blocks and know nothing of its wiring");

        rule.check(classes);
    }

    @Test
    void featuresNeverDependOnInference() {
        ArchRule rule =
                noClasses()
                        .that()
                        .resideInAPackage("io.rtml.features..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAPackage("io.rtml.inference..")
                        .because("features are computed the same way whatever model scores them");

        rule.check(classes);
    }

    @Test
    void noPackageDependsOnItselfThroughAnother() {
        // Each package is a slice of its own (io.rtml.features and io.rtml.features.spec apart),
        // so a subpackage may not point back up at its parent either.
        slices().matching("io.rtml.(**)")
                .should()
                .beFreeOfCycles()
                .because(
                        "a package is read, tested and changed on its own only if nothing it uses"
                                + " uses it back")
                .check(classes);
    }

    @Test
    void seesTheDependenciesTheRulesAreAbout() {
        // The rules would pass vacuously if the import missed the edges they forbid; the reverse
        // edges exist (the job wires the udfs, inference scores feature vectors) and are found.
        assertThatThrownBy(
                        () ->
                                noClasses()
                                        .that()
                                        .resideInAPackage("io.rtml.inference..")
                                        .should()
                                        .dependOnClassesThat()
                                        .resideInAPackage("io.rtml.features..")
                                        .check(classes))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("io.rtml.inference.VectorBatcher")
                .hasMessageContaining("io.rtml.features.PartialFeatures");
        assertThatThrownBy(
                        () ->
                                noClasses()
                                        .that()
                                        .resideInAPackage("io.rtml.job..")
                                        .should()
                                        .dependOnClassesThat()
                                        .resideInAPackage("io.rtml.features..")
                                        .check(classes))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("io.rtml.job.Pipeline")
                .hasMessageContaining("io.rtml.features.EntityFeatureFunction");
    }
}
