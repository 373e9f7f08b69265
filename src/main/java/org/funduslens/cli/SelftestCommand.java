package org.funduslens.cli;

import ai.onnxruntime.OrtEnvironment;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.funduslens.image.Eye;
import org.funduslens.image.FundusImage;
import org.funduslens.model.Analyzer;
import org.funduslens.model.BundleLocator;
import org.funduslens.model.Diagnosis;
import org.funduslens.model.InferenceSession;
import org.funduslens.model.Reading;
import org.funduslens.study.Decision;
import org.funduslens.study.DecisionLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code selftest}: SQLite, ONNX Runtime and one demo prediction, each reported on a line; exit 0 or 1. */
@Command(name = "selftest", mixinStandardHelpOptions = true,
        description = "Check that SQLite, ONNX Runtime and the demo bundle work on this machine (no network is used).")
public final class SelftestCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        boolean ok = true;
        Path tmp = null;
        Reading reading = null;
        try {
            tmp = Files.createTempDirectory("funduslens-selftest");
            try (Analyzer a = Analyzer.open(BundleLocator.demoBundle(), true)) {
                out.println("ok    onnxruntime " + OrtEnvironment.getEnvironment().getVersion() + ", providers offered "
                        + InferenceSession.offeredProviders() + ", in use " + a.provider().label()
                        + (a.providerNotice() == null ? "" : " (" + a.providerNotice() + ")"));
                reading = a.analyze(syntheticFundus(), 3);
                Diagnosis d = reading.prediction().first();
                out.printf(Locale.ROOT, "ok    prediction with %s: %s %.3f in %.1f ms%s%n", a.bundle().id(), d.code(),
                        d.probability(), reading.timingsMs().get("total"),
                        a.bundle().demo() ? " (" + a.bundle().demoNotice() + ")" : "");
            }
        } catch (Exception | UnsatisfiedLinkError e) {
            out.println("FAIL  onnxruntime/prediction: " + e.getMessage());
            ok = false;
        }
        if (tmp != null) {
            try (DecisionLog log = DecisionLog.open(tmp.resolve("selftest.sqlite"))) {
                String version;
                try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite::memory:");
                     var rs = c.createStatement().executeQuery("select sqlite_version()")) {
                    version = rs.next() ? rs.getString(1) : "?";
                }
                if (reading != null) {
                    log.append(Decision.about(reading, true, reading.prediction().first().code(), 3, "selftest"));
                }
                int rows = log.readAll().size();
                out.println("ok    sqlite " + version + " (WAL, append and read back: " + rows + " row"
                        + (rows == 1 ? "" : "s") + ")");
            } catch (Exception e) {
                out.println("FAIL  sqlite: " + e.getMessage());
                ok = false;
            } finally {
                try (var files = Files.walk(tmp)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (java.io.IOException ignored) {
                    // a leftover temporary folder is harmless
                }
            }
        }
        out.println(ok ? "selftest passed" : "selftest FAILED");
        return ok ? ExitCodes.OK : ExitCodes.FAILED;
    }

    /** A fundus-like disc (orange-red, darker rim, bright optic disc) so the test needs no file. */
    static FundusImage syntheticFundus() {
        int s = 256;
        byte[] rgb = new byte[s * s * 3];
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                double r = Math.hypot(x - s / 2.0, y - s / 2.0) / (s / 2.0);
                double disc = Math.hypot(x - s * 0.68, y - s * 0.5) < s * 0.07 ? 1 : 0;
                double v = r > 0.95 ? 0 : 1 - 0.5 * r * r;
                int o = (y * s + x) * 3;
                rgb[o] = (byte) Math.min(255, 200 * v + 55 * disc);
                rgb[o + 1] = (byte) Math.min(255, 90 * v + 150 * disc);
                rgb[o + 2] = (byte) Math.min(255, 40 * v + 100 * disc);
            }
        }
        return new FundusImage(null, "synthetic fundus", s, s, rgb, 8, false, Eye.UNKNOWN);
    }
}
