package org.funduslens.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.funduslens.model.BundleException;
import org.funduslens.model.BundleLocator;
import org.funduslens.model.BundleVerifier;
import org.funduslens.model.InferenceException;
import org.funduslens.model.InferenceSession;
import org.funduslens.model.ModelBundle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code verify-bundle}: checksums, then the stored PyTorch reference replayed on the provider in use. */
@Command(name = "verify-bundle", mixinStandardHelpOptions = true,
        description = "Check a bundle's files and compare ONNX Runtime's outputs with the exporter's PyTorch reference.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:verified", "1:outputs differ from the reference", "4:the bundle is missing, damaged or invalid"})
public final class VerifyBundleCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--cpu", description = "Verify on the CPU even where a GPU provider is available.")
    boolean cpu;

    @Parameters(paramLabel = "DIR", arity = "0..1", description = "Bundle folder (default: the bundled demo).")
    Path dir;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path d = dir != null ? dir : BundleLocator.demoBundle();
        try {
            ModelBundle b = ModelBundle.load(d, true);
            out.println("bundle    " + b.displayName() + " [" + b.id() + "]" + (b.demo() ? "  " + b.demoNotice() : ""));
            out.println("files     " + b.manifest().files().size() + " files match their SHA-256");
            try (InferenceSession s = InferenceSession.open(b, !cpu)) {
                if (s.providerNotice() != null) {
                    out.println("notice    " + s.providerNotice());
                }
                BundleVerifier.Result r = BundleVerifier.verify(s);
                out.println("provider  " + r.provider().label());
                for (BundleVerifier.Difference diff : r.outputs()) {
                    out.printf(Locale.ROOT, "output    %-14s %-16s max abs %.3g  max rel %.3g%s%n", diff.output(),
                            java.util.Arrays.toString(diff.shape()), diff.maxAbs(), diff.maxRel(),
                            diff.passed() ? "" : "  (" + diff.outside() + " values outside tolerance)");
                }
                out.printf(Locale.ROOT, "result    %s on %s, batch %d (|ORT - PyTorch| <= %.1g + %.1g x max|PyTorch| per output)%n",
                        r.passed() ? "VERIFIED" : "MISMATCH", r.provider().label(), r.batch(), r.tolerance(),
                        r.relativeTolerance());
                return r.passed() ? ExitCodes.OK : ExitCodes.FAILED;
            }
        } catch (BundleException e) {
            err.println("verify-bundle: " + e.getMessage());
            return ExitCodes.BAD_BUNDLE;
        } catch (InferenceException e) {
            err.println("verify-bundle: " + e.getMessage());
            return ExitCodes.FAILED;
        }
    }
}
