package org.funduslens.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.funduslens.study.analysis.MrmcData;
import org.funduslens.study.analysis.OrAnalysis;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code study analyze}: the Obuchowski–Rockette analysis of a reader study's long CSV. */
@Command(name = "study", mixinStandardHelpOptions = true, description = "Reader studies.",
        subcommands = {StudyCommand.Analyze.class, StudyCommand.Verify.class, StudyCommand.Export.class})
public final class StudyCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "analyze", mixinStandardHelpOptions = true,
            description = "Obuchowski-Rockette (Hillis ddf): random readers and cases, fixed readers, fixed cases.")
    static final class Analyze implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--data", required = true, paramLabel = "CSV",
                description = "Columns reader,treatment,case,truth,rating (for accuracy, rating is 1 correct, 0 not).")
        Path data;

        @Option(names = "--metric", defaultValue = "auc", description = "auc or accuracy (default: ${DEFAULT-VALUE}).")
        String metric;

        @Option(names = "--cov", defaultValue = "jackknife", description = "jackknife or delong (default: ${DEFAULT-VALUE}).")
        String cov;

        @Option(names = "--alpha", defaultValue = "0.05")
        double alpha;

        @Option(names = "--json", description = "One JSON object.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            PrintWriter err = spec.commandLine().getErr();
            OrAnalysis.Metric m;
            OrAnalysis.Covariance c;
            try {
                m = OrAnalysis.Metric.valueOf(metric.toUpperCase(Locale.ROOT));
                c = OrAnalysis.Covariance.valueOf(cov.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                err.println("study analyze: --metric is auc or accuracy and --cov jackknife or delong.");
                return ExitCodes.BAD_ARGUMENTS;
            }
            MrmcData d;
            try {
                d = MrmcData.readCsv(data);
            } catch (IOException e) {
                err.println("study analyze: " + e.getMessage());
                return ExitCodes.UNREADABLE_INPUT;
            }
            OrAnalysis.Result r;
            try {
                r = OrAnalysis.analyze(d, m, c, alpha);
            } catch (IllegalArgumentException e) {
                err.println("study analyze: " + e.getMessage() + ".");
                return ExitCodes.BAD_ARGUMENTS;
            }
            ObjectNode o = PredictCommand.JSON.createObjectNode();
            o.put("metric", m.name().toLowerCase(Locale.ROOT));
            o.put("covariance", c.name().toLowerCase(Locale.ROOT));
            o.put("readers", d.readers().size());
            o.put("cases", d.cases().size());
            ObjectNode per = o.putObject("reader_metric");
            for (int i = 0; i < r.treatments().size(); i++) {
                ObjectNode tr = per.putObject(r.treatments().get(i));
                for (int j = 0; j < r.readers().size(); j++) {
                    tr.put(r.readers().get(j), r.fom()[i][j]);
                }
            }
            ObjectNode means = o.putObject("treatment_means");
            for (int i = 0; i < r.treatments().size(); i++) {
                means.put(r.treatments().get(i), r.treatmentMeans()[i]);
            }
            o.put("difference", r.rrrc().diff());
            o.put("difference_of", r.treatments().get(0) + " - " + r.treatments().get(1));
            ObjectNode comp = o.putObject("components");
            comp.put("ms_t", r.msT()).put("ms_r", r.msR()).put("ms_tr", r.msTR()).put("var_error", r.varError())
                    .put("cov1", r.cov1()).put("cov2", r.cov2()).put("cov3", r.cov3());
            for (OrAnalysis.Test t : new OrAnalysis.Test[] {r.rrrc(), r.frrc(), r.rrfc()}) {
                String key = t == r.rrrc() ? "rrrc" : t == r.frrc() ? "frrc" : "rrfc";
                ObjectNode x = o.putObject(key);
                x.put("test", t.name());
                x.put(key.equals("frrc") ? "chi2" : "f", t.statistic());
                x.put("df1", t.df1());
                if (!Double.isInfinite(t.df2())) {
                    x.put("ddf", t.df2());
                }
                x.put("p", t.p());
                x.put("stderr", t.stdErr());
                ArrayNode ci = x.putArray("ci");
                ci.add(t.ciLow()).add(t.ciHigh());
            }
            ArrayNode singles = o.putArray("treatments");
            for (OrAnalysis.Single s : r.singles()) {
                ObjectNode x = singles.addObject();
                x.put("treatment", s.treatment()).put("mean", s.mean()).put("stderr", s.stdErr()).put("df", s.df());
                x.putArray("ci").add(s.ciLow()).add(s.ciHigh());
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(json ? PredictCommand.JSON.writeValueAsString(o)
                    : PredictCommand.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o));
            return ExitCodes.OK;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check a read log's hash chain: exit 0 when no row was edited, deleted or reordered.")
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Parameters(paramLabel = "DB")
        Path db;

        @Override
        public Integer call() {
            try {
                var v = org.funduslens.study.ReadLog.verify(db);
                PrintWriter out = spec.commandLine().getOut();
                v.problems().forEach(p -> out.println("BROKEN  " + p));
                out.println((v.intact() ? "intact: " : "NOT intact: ") + v.rows() + " reads in " + db);
                return v.intact() ? ExitCodes.OK : ExitCodes.FAILED;
            } catch (org.funduslens.study.DecisionLogException e) {
                spec.commandLine().getErr().println("study verify: " + e.getMessage());
                return ExitCodes.UNREADABLE_INPUT;
            }
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Long CSV (one row per read) and the MRMC CSV of top-K accuracy for study analyze.")
    static final class Export implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--db", required = true, paramLabel = "DB") Path db;
        @Option(names = "--protocol", required = true, paramLabel = "JSON") Path protocol;
        @Option(names = "--csv", paramLabel = "FILE", description = "Long CSV, one row per read.") Path csv;
        @Option(names = "--mrmc", paramLabel = "FILE", description = "reader,treatment,case,truth,rating for accuracy.") Path mrmc;
        @Option(names = "--top", defaultValue = "1", description = "Top-K accuracy (default: ${DEFAULT-VALUE}).") int top;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            try (var log = org.funduslens.study.ReadLog.open(db)) {
                var p = org.funduslens.study.StudyProtocol.read(protocol);
                log.export(p, csv, mrmc, top);
                return ExitCodes.OK;
            } catch (IOException e) {
                err.println("study export: " + e.getMessage());
                return ExitCodes.UNREADABLE_INPUT;
            } catch (org.funduslens.study.DecisionLogException e) {
                err.println("study export: " + e.getMessage());
                return ExitCodes.FAILED;
            }
        }
    }
}
