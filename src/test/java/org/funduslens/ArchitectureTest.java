package org.funduslens;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The layers of docs/architecture.md: imports point down only, and JavaFX stays in the app layer. */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.funduslens");
    }

    @Test
    void nothingOutsideAppUsesJavaFx() {
        noClasses().that().resideOutsideOfPackage("org.funduslens.app..")
                .should().dependOnClassesThat().resideInAnyPackage("javafx..", "org.controlsfx..", "com.sun.javafx..")
                .because("the core must run, and be tested, without a display")
                .check(classes);
    }

    @Test
    void layersPointDown() {
        layeredArchitecture().consideringOnlyDependenciesInAnyPackage("org.funduslens..")
                .layer("Launcher").definedBy("org.funduslens")
                .layer("App").definedBy("org.funduslens.app..")
                .layer("Cli").definedBy("org.funduslens.cli..")
                .layer("Study").definedBy("org.funduslens.study..")
                .layer("Model").definedBy("org.funduslens.model..")
                .layer("Image").definedBy("org.funduslens.image..")
                .layer("Dicom").definedBy("org.funduslens.dicom..")
                .layer("Util").definedBy("org.funduslens.util..")
                .whereLayer("Launcher").mayNotBeAccessedByAnyLayer()
                .whereLayer("App").mayOnlyBeAccessedByLayers("Launcher")
                .whereLayer("Cli").mayOnlyBeAccessedByLayers("Launcher")
                .whereLayer("Study").mayOnlyBeAccessedByLayers("Launcher", "App", "Cli")
                .whereLayer("Model").mayOnlyBeAccessedByLayers("Launcher", "App", "Cli", "Study")
                .whereLayer("Image").mayOnlyBeAccessedByLayers("App", "Cli", "Study", "Model")
                .whereLayer("Dicom").mayOnlyBeAccessedByLayers("App", "Cli", "Study", "Model", "Image")
                .withOptionalLayers(true)
                .check(classes);
    }
}
