package org.funduslens.cli;

import java.nio.file.Path;
import org.funduslens.model.BundleLocator;
import picocli.CommandLine.Option;

/** The options that pick a bundle and where it runs, shared by the commands that run a model. */
final class ModelOptions {
    @Option(names = "--model", paramLabel = "DIR", description = "Model bundle folder (default: the bundled demo).")
    Path model;

    @Option(names = "--cpu", description = "Run on the CPU even where a GPU provider is available.")
    boolean cpu;

    Path bundleDir() {
        return model != null ? model : BundleLocator.demoBundle();
    }

    boolean preferGpu() {
        return !cpu;
    }
}
