package org.funduslens.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.funduslens.model.Analyzer;
import org.funduslens.model.BundleException;
import org.funduslens.study.SimilarCaseException;
import org.funduslens.study.SimilarCaseIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code index}: embed labelled reference images with a bundle, for {@code predict --similar} and the window. */
@Command(name = "index", mixinStandardHelpOptions = true,
        description = "Index labelled reference images (a folder with one sub-folder per label, or a CSV path,label).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:indexed (files that could not be read are listed)", "2:bad arguments",
                "3:the source cannot be read", "4:bad model bundle", "1:the index cannot be written"})
public final class IndexCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    ModelOptions modelOptions;

    @Parameters(paramLabel = "SOURCE", arity = "1")
    Path source;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Analyzer a = Analyzer.open(modelOptions.bundleDir(), modelOptions.preferGpu());
             SimilarCaseIndex index = SimilarCaseIndex.openDefault()) {
            SimilarCaseIndex.Report r = index.index(a, source, f -> { }, () -> false);
            r.problems().forEach(p -> err.println("index: " + p));
            out.println("indexed " + r.added() + " new, " + r.unchanged() + " unchanged, " + r.problems().size()
                    + " skipped; " + index.size(a.bundle().sha256()) + " reference images for " + a.bundle().id()
                    + " in " + index.file());
            return ExitCodes.OK;
        } catch (BundleException e) {
            err.println("index: " + e.getMessage());
            return ExitCodes.BAD_BUNDLE;
        } catch (IOException e) {
            err.println("index: " + e.getMessage());
            return ExitCodes.UNREADABLE_INPUT;
        } catch (SimilarCaseException e) {
            err.println("index: " + e.getMessage());
            return ExitCodes.FAILED;
        }
    }
}
