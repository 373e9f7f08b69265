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
        subcommands = {StudyCommand.Analyze.class, StudyCommand.Verify.class, StudyCommand.Export.class, StudyCommand.Report.class,
                StudyCommand.Enrol.class, StudyCommand.Package.class, StudyCommand.Import.class, StudyCommand.Results.class,
                StudyCommand.Merge.class})
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
        @Option(names = "--imrmc", paramLabel = "FILE", description = "iMRMC input (abnormal vs the normal label).") Path imrmc;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            try (var log = org.funduslens.study.ReadLog.open(db)) {
                var p = org.funduslens.study.StudyProtocol.read(protocol);
                log.export(p, csv, mrmc, top);
                if (imrmc != null) {
                    try {
                        java.nio.file.Files.writeString(imrmc, org.funduslens.study.analysis.ImrmcExport.render(p, log.currentReads(p.id())));
                    } catch (IllegalArgumentException e) {
                        err.println("study export: " + protocol.getFileName() + ": " + e.getMessage());
                        return ExitCodes.BAD_ARGUMENTS;
                    }
                }
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

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = "The study's analysis: per-reader accuracy with Wilson intervals, McNemar, Obuchowski-Rockette; HTML with plots.")
    static final class Report implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--db", required = true, paramLabel = "DB") Path db;
        @Option(names = "--protocol", required = true, paramLabel = "JSON") Path protocol;
        @Option(names = "--html", paramLabel = "FILE", description = "Write the HTML report here.") Path html;

        @Override
        public Integer call() throws IOException {
            PrintWriter err = spec.commandLine().getErr();
            org.funduslens.study.analysis.StudyReport r;
            try (var log = org.funduslens.study.ReadLog.open(db)) {
                var p = org.funduslens.study.StudyProtocol.read(protocol);
                r = org.funduslens.study.analysis.StudyReport.compute(p, log.currentReads(p.id()), log.readers(p.id()));
            } catch (IOException e) {
                err.println("study report: " + e.getMessage());
                return ExitCodes.UNREADABLE_INPUT;
            } catch (org.funduslens.study.DecisionLogException e) {
                err.println("study report: " + e.getMessage());
                return ExitCodes.FAILED;
            }
            if (html != null) {
                java.nio.file.Files.writeString(html, org.funduslens.study.analysis.HtmlReport.render(r,
                        Version.text(), java.time.Instant.now().toString()));
            }
            ObjectNode o = PredictCommand.JSON.createObjectNode();
            o.put("study", r.protocol().id()).put("readers", r.readers().size()).put("reads", r.reads())
                    .put("cases_with_reference", r.casesWithReference());
            ObjectNode arms = o.putObject("arms");
            for (var a : r.arms()) {
                arms.putObject(a.arm()).put("mean_top1", a.meanTop1()).put("mean_topk", a.meanTopK()).put("median_time_ms", a.medianTimeMs());
            }
            o.put("difference_top1", r.differenceTop1()).put("difference_topk", r.differenceTopK());
            ArrayNode per = o.putArray("per_reader");
            for (var ra : r.perReader()) {
                ObjectNode x = per.addObject().put("reader", ra.reader()).put("arm", ra.arm());
                x.putObject("top1").put("k", ra.top1().k()).put("n", ra.top1().n()).put("estimate", ra.top1().estimate())
                        .put("wilson_low", ra.top1().low()).put("wilson_high", ra.top1().high());
                x.putObject("topk").put("k", ra.topK().k()).put("n", ra.topK().n()).put("estimate", ra.topK().estimate())
                        .put("wilson_low", ra.topK().low()).put("wilson_high", ra.topK().high());
            }
            ArrayNode mc = o.putArray("mcnemar");
            r.mcnemar().forEach(m -> mc.addObject().put("reader", m.reader()).put("b", m.b()).put("c", m.c()).put("p", m.p()));
            if (r.accuracyOr() != null) {
                var t = r.accuracyOr().rrrc();
                o.putObject("or_accuracy_rrrc").put("f", t.statistic()).put("ddf", t.df2()).put("p", t.p())
                        .put("ci_low", t.ciLow()).put("ci_high", t.ciHigh());
            } else {
                o.put("or_accuracy_note", r.accuracyOrNote());
            }
            o.putObject("ai_alone").put("top1", r.aiTop1().estimate()).put("topk", r.aiTopK().estimate()).put("n", r.aiTop1().n());
            spec.commandLine().getOut().println(PredictCommand.JSON.writeValueAsString(o));
            return ExitCodes.OK;
        }
    }

    @Command(name = "enrol", mixinStandardHelpOptions = true, description = "Enrol a pseudonymous reader in a study.")
    static final class Enrol implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--db", required = true, paramLabel = "DB") Path db;
        @Option(names = "--protocol", required = true, paramLabel = "JSON") Path protocol;
        @Option(names = "--reader", required = true, paramLabel = "ID") String reader;
        @Option(names = "--years", paramLabel = "N") Integer years;
        @Option(names = "--specialty") String specialty;
        @Option(names = "--country") String country;

        @Override
        public Integer call() {
            try (var log = org.funduslens.study.ReadLog.open(db)) {
                var p = org.funduslens.study.StudyProtocol.read(protocol);
                log.enrol(new org.funduslens.study.ReadLog.Reader(p.id(), reader, years, specialty, country, java.time.Instant.now().toString()));
                spec.commandLine().getOut().println("enrolled " + reader + " in " + p.id());
                return ExitCodes.OK;
            } catch (IOException e) {
                spec.commandLine().getErr().println("study enrol: " + e.getMessage());
                return ExitCodes.UNREADABLE_INPUT;
            } catch (org.funduslens.study.DecisionLogException e) {
                spec.commandLine().getErr().println("study enrol: " + e.getMessage());
                return ExitCodes.FAILED;
            }
        }
    }

    private static org.funduslens.util.SigningKey key() throws IOException {
        return org.funduslens.util.SigningKey.loadOrCreate(org.funduslens.util.DataFolder.path().resolve("keys"));
    }

    @Command(name = "package", mixinStandardHelpOptions = true,
            description = "Coordinator: a signed study package (protocol, de-identified cases, the AI bundle's id and hash).")
    static final class Package implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--protocol", required = true, paramLabel = "JSON") Path protocol;
        @Option(names = "--out", required = true, paramLabel = "FILE.flstudy") Path out;

        @Override
        public Integer call() {
            try {
                var p = org.funduslens.study.StudyProtocol.read(protocol);
                var key = key();
                var m = org.funduslens.study.StudyPackage.exportStudy(p, p.bundlePath(), key, java.time.Clock.systemUTC(), out);
                spec.commandLine().getOut().println("wrote " + out + ": study " + m.study() + ", " + p.cases().size()
                        + " de-identified cases, protocol " + m.protocolSha256().substring(0, 12) + "\u2026, signed by " + key.fingerprint());
                return ExitCodes.OK;
            } catch (IOException e) {
                spec.commandLine().getErr().println("study package: " + e.getMessage());
                return ExitCodes.UNREADABLE_INPUT;
            }
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true, description = "Site: verify a study package and unpack it.")
    static final class Import implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Parameters(paramLabel = "FILE.flstudy") Path pkg;
        @Option(names = "--into", required = true, paramLabel = "DIR") Path into;

        @Override
        public Integer call() {
            try {
                var opened = org.funduslens.study.StudyPackage.open(pkg, org.funduslens.study.StudyPackage.STUDY_KIND);
                Path protocol = org.funduslens.study.StudyPackage.importStudy(pkg, into);
                spec.commandLine().getOut().println("imported study " + opened.manifest().study() + " into " + protocol
                        + "; signed by " + opened.signerFingerprint() + " (compare it with the coordinator's); AI bundle "
                        + opened.manifest().bundleId() + " " + opened.manifest().bundleSha256());
                return ExitCodes.OK;
            } catch (IOException e) {
                spec.commandLine().getErr().println("study import: " + e.getMessage());
                return ExitCodes.UNREADABLE_INPUT;
            }
        }
    }

    @Command(name = "results", mixinStandardHelpOptions = true, description = "Site: signed, hash-chained results for the coordinator.")
    static final class Results implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--db", required = true, paramLabel = "DB") Path db;
        @Option(names = "--protocol", required = true, paramLabel = "JSON") Path protocol;
        @Option(names = "--site", required = true) String site;
        @Option(names = "--out", required = true, paramLabel = "FILE.flresults") Path out;

        @Override
        public Integer call() {
            try (var log = org.funduslens.study.ReadLog.open(db)) {
                var p = org.funduslens.study.StudyProtocol.read(protocol);
                var key = key();
                org.funduslens.study.StudyPackage.exportResults(p, log, site, key, java.time.Clock.systemUTC(), out);
                spec.commandLine().getOut().println("wrote " + out + " for site " + site + ", signed by " + key.fingerprint());
                return ExitCodes.OK;
            } catch (IOException | org.funduslens.study.DecisionLogException e) {
                spec.commandLine().getErr().println("study results: " + e.getMessage());
                return ExitCodes.FAILED;
            }
        }
    }

    @Command(name = "merge", mixinStandardHelpOptions = true,
            description = "Coordinator: verify every site's results against the study package and merge them into one read log.")
    static final class Merge implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--package", required = true, paramLabel = "FILE.flstudy") Path pkg;
        @Option(names = "--out", required = true, paramLabel = "DB") Path out;
        @Option(names = "--trust", paramLabel = "FINGERPRINT", description = "Accept only these site keys (repeatable).")
        java.util.List<String> trust = new java.util.ArrayList<>();
        @picocli.CommandLine.Parameters(paramLabel = "FILE.flresults", arity = "1..*") java.util.List<Path> results;

        @Override
        public Integer call() {
            if (java.nio.file.Files.exists(out)) {
                spec.commandLine().getErr().println("study merge: " + out + " exists; merge into a new file.");
                return ExitCodes.BAD_ARGUMENTS;
            }
            try (var merged = org.funduslens.study.ReadLog.open(out)) {
                for (var m : org.funduslens.study.StudyPackage.merge(pkg, results, trust, merged)) {
                    spec.commandLine().getOut().println("merged site " + m.site() + " (key " + m.signerFingerprint() + "): "
                            + m.readers() + " readers, " + m.reads() + " reads");
                }
                return ExitCodes.OK;
            } catch (IOException | org.funduslens.study.DecisionLogException e) {
                spec.commandLine().getErr().println("study merge: " + e.getMessage());
                try {
                    java.nio.file.Files.deleteIfExists(out);
                    java.nio.file.Files.deleteIfExists(Path.of(out + "-wal"));
                    java.nio.file.Files.deleteIfExists(Path.of(out + "-shm"));
                } catch (IOException ignored) {
                    // the refusal is what matters; a stray empty file is harmless
                }
                return ExitCodes.FAILED;
            }
        }
    }
}
