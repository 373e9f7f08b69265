package org.funduslens.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.funduslens.image.FundusImage;
import org.funduslens.image.ImageLoadException;
import org.funduslens.image.ImageLoader;
import org.funduslens.model.BundleException;
import org.funduslens.model.BundleLocator;
import org.funduslens.model.ModelBundle;
import org.funduslens.model.Npy;
import org.funduslens.model.Preprocessor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code preprocess}: the exact input tensor a bundle's network gets for an image, as float32 NCHW .npy. */
@Command(name = "preprocess", mixinStandardHelpOptions = true,
        description = "Write the bundle's input tensor for IMAGE (float32, NCHW, batch 1) as .npy.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:written", "2:bad arguments", "3:the image could not be read", "4:bad model bundle"})
public final class PreprocessCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "Model bundle folder (default: the bundled demo).")
    Path model;

    @Option(names = "--out", paramLabel = "FILE.npy", required = true, description = "Where to write the tensor.")
    Path out;

    @Parameters(paramLabel = "IMAGE", arity = "1")
    Path image;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            ModelBundle b = ModelBundle.load(model != null ? model : BundleLocator.demoBundle());
            FundusImage img = ImageLoader.load(image);
            Preprocessor.Tensor t = new Preprocessor(b.input()).preprocess(img);
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                java.nio.file.Files.createDirectories(parent);
            }
            Npy.write(out, t.chw(), new long[] {1, 3, t.size(), t.size()});
            spec.commandLine().getOut().println(out.toAbsolutePath());
            return ExitCodes.OK;
        } catch (BundleException e) {
            err.println("preprocess: " + e.getMessage());
            return ExitCodes.BAD_BUNDLE;
        } catch (ImageLoadException e) {
            err.println("preprocess: " + e.getMessage());
            return ExitCodes.UNREADABLE_INPUT;
        } catch (IOException e) {
            err.println("preprocess: " + out + ": cannot be written (" + e.getMessage() + ").");
            return ExitCodes.FAILED;
        }
    }
}
