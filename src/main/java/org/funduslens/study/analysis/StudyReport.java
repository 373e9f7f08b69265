package org.funduslens.study.analysis;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.statistics.distribution.BinomialDistribution;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.funduslens.study.ReadLog;
import org.funduslens.study.ReaderSession;
import org.funduslens.study.StudyProtocol;

/**
 * The analysis of a reader study's reads: per reader and arm, top-1 and top-K accuracy with Wilson intervals; the
 * reader-averaged aided − unaided difference; per-reader exact McNemar tests; Obuchowski–Rockette on top-1 accuracy
 * and, where the protocol names a normal label, on the ROC AUC of "abnormal" (the first answer and the confidence
 * make a 2L-point rating); the AI alone; per-diagnosis accuracy; time on case. Only cases with a reference
 * diagnosis count, and only the latest read of a case and arm.
 */
public record StudyReport(StudyProtocol protocol, List<String> readers, Map<String, ReadLog.Reader> profiles,
                          List<ReaderArm> perReader, List<ArmSummary> arms, List<McNemar> mcnemar,
                          OrAnalysis.Result accuracyOr, String accuracyOrNote, OrAnalysis.Result aucOr, String aucOrNote,
                          Proportion aiTop1, Proportion aiTopK, List<DiagnosisRow> perDiagnosis,
                          Map<String, List<double[]>> roc, int casesWithReference, int reads) {

    private static final String DEGENERATE = "Not computed: the reads do not vary enough between readers and cases for this analysis.";

    public static final List<String> ARMS = List.of(ReaderSession.UNAIDED, ReaderSession.AIDED);

    /** k of n with its Wilson 95 % interval. */
    public record Proportion(int k, int n, double estimate, double low, double high) {
        static Proportion of(int k, int n) {
            if (n == 0) {
                return new Proportion(0, 0, Double.NaN, Double.NaN, Double.NaN);
            }
            double z = NormalDistribution.of(0, 1).inverseSurvivalProbability(0.025);
            double p = (double) k / n;
            double z2n = z * z / n;
            double centre = (p + z2n / 2) / (1 + z2n);
            double half = z / (1 + z2n) * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n));
            return new Proportion(k, n, p, Math.max(0, centre - half), Math.min(1, centre + half));
        }
    }

    public record ReaderArm(String reader, String arm, Proportion top1, Proportion topK, long medianTimeMs, int changed) {}

    public record ArmSummary(String arm, double meanTop1, double meanTopK, long medianTimeMs) {}

    /** Exact McNemar on top-1 correctness: b = right unaided, wrong aided; c = wrong unaided, right aided. */
    public record McNemar(String reader, int b, int c, double p) {}

    public record DiagnosisRow(String label, int cases, double unaidedTop1, double aidedTop1, double aiTop1) {}

    /** Readers grouped by a profile field (experience band, specialty, country): their mean top-1 per arm. */
    public record SubgroupRow(String by, String group, int readers, double unaidedTop1, double aidedTop1) {
        public double difference() {
            return aidedTop1 - unaidedTop1;
        }
    }

    /** The reader-averaged top-1 per arm within each group of readers that share a profile value. */
    public List<SubgroupRow> subgroups() {
        List<SubgroupRow> out = new ArrayList<>();
        Map<String, java.util.function.Function<ReadLog.Reader, String>> fields = new LinkedHashMap<>();
        fields.put("experience", r -> r.yearsOfExperience() == null ? null
                : r.yearsOfExperience() < 5 ? "under 5 years" : r.yearsOfExperience() < 15 ? "5 to 14 years" : "15 years or more");
        fields.put("specialty", ReadLog.Reader::specialty);
        fields.put("country", ReadLog.Reader::country);
        for (var f : fields.entrySet()) {
            Map<String, List<String>> groups = new java.util.TreeMap<>();
            for (String reader : readers) {
                ReadLog.Reader p = profiles.get(reader);
                String g = p == null ? null : f.getValue().apply(p);
                if (g != null && !g.isBlank()) {
                    groups.computeIfAbsent(g, x -> new ArrayList<>()).add(reader);
                }
            }
            if (groups.size() < 2) {
                continue;   // one group is no comparison
            }
            groups.forEach((g, members) -> out.add(new SubgroupRow(f.getKey(), g, members.size(),
                    members.stream().mapToDouble(m -> of(m, ReaderSession.UNAIDED).top1().estimate()).filter(v -> !Double.isNaN(v)).average().orElse(Double.NaN),
                    members.stream().mapToDouble(m -> of(m, ReaderSession.AIDED).top1().estimate()).filter(v -> !Double.isNaN(v)).average().orElse(Double.NaN))));
        }
        return out;
    }

    public double differenceTop1() {
        return arm(ReaderSession.AIDED).meanTop1() - arm(ReaderSession.UNAIDED).meanTop1();
    }

    public double differenceTopK() {
        return arm(ReaderSession.AIDED).meanTopK() - arm(ReaderSession.UNAIDED).meanTopK();
    }

    public ArmSummary arm(String arm) {
        return arms.stream().filter(a -> a.arm().equals(arm)).findFirst().orElseThrow();
    }

    public ReaderArm of(String reader, String arm) {
        return perReader.stream().filter(r -> r.reader().equals(reader) && r.arm().equals(arm)).findFirst().orElse(null);
    }

    public static StudyReport compute(StudyProtocol p, List<ReadLog.Read> reads, List<ReadLog.Reader> enrolled) {
        Map<String, String> ref = new LinkedHashMap<>();
        p.cases().forEach(c -> {
            if (c.reference() != null) {
                ref.put(c.id(), c.reference());
            }
        });
        int k = p.rankedAnswers();
        List<String> readers = new ArrayList<>();
        Map<String, ReadLog.Reader> profiles = new LinkedHashMap<>();
        enrolled.forEach(r -> {
            readers.add(r.reader());
            profiles.put(r.reader(), r);
        });
        // [reader][arm][case] -> read
        Map<String, Map<String, Map<String, ReadLog.Read>>> by = new LinkedHashMap<>();
        Map<String, List<String>> aiTop = new LinkedHashMap<>();
        for (ReadLog.Read r : reads) {
            if (!readers.contains(r.reader())) {
                readers.add(r.reader());
            }
            by.computeIfAbsent(r.reader(), x -> new LinkedHashMap<>()).computeIfAbsent(r.arm(), x -> new LinkedHashMap<>())
                    .put(r.caseId(), r);
            if (r.arm().equals(ReaderSession.AIDED) && !r.aiTop().isEmpty()) {
                aiTop.putIfAbsent(r.caseId(), r.aiTop());
            }
        }
        List<ReaderArm> perReader = new ArrayList<>();
        List<McNemar> mcnemar = new ArrayList<>();
        List<ArmSummary> arms = new ArrayList<>();
        for (String arm : ARMS) {
            double s1 = 0;
            double sk = 0;
            int counted = 0;
            List<Long> times = new ArrayList<>();
            for (String reader : readers) {
                Map<String, ReadLog.Read> m = by.getOrDefault(reader, Map.of()).getOrDefault(arm, Map.of());
                int n = 0;
                int c1 = 0;
                int ck = 0;
                int changed = 0;
                List<Long> t = new ArrayList<>();
                for (ReadLog.Read r : m.values()) {
                    t.add(r.timeOnCaseMs());
                    if (Boolean.TRUE.equals(r.changedAfterAi())) {
                        changed++;
                    }
                    String truth = ref.get(r.caseId());
                    if (truth == null) {
                        continue;
                    }
                    n++;
                    c1 += r.answers().get(0).equals(truth) ? 1 : 0;
                    ck += r.answers().subList(0, Math.min(k, r.answers().size())).contains(truth) ? 1 : 0;
                }
                times.addAll(t);
                ReaderArm ra = new ReaderArm(reader, arm, Proportion.of(c1, n), Proportion.of(ck, n), median(t), changed);
                perReader.add(ra);
                if (n > 0) {
                    s1 += ra.top1().estimate();
                    sk += ra.topK().estimate();
                    counted++;
                }
            }
            arms.add(new ArmSummary(arm, counted == 0 ? Double.NaN : s1 / counted, counted == 0 ? Double.NaN : sk / counted,
                    median(times)));
        }
        for (String reader : readers) {
            Map<String, ReadLog.Read> u = by.getOrDefault(reader, Map.of()).getOrDefault(ReaderSession.UNAIDED, Map.of());
            Map<String, ReadLog.Read> a = by.getOrDefault(reader, Map.of()).getOrDefault(ReaderSession.AIDED, Map.of());
            int b = 0;
            int c = 0;
            for (Map.Entry<String, String> e : ref.entrySet()) {
                ReadLog.Read ru = u.get(e.getKey());
                ReadLog.Read rA = a.get(e.getKey());
                if (ru == null || rA == null) {
                    continue;
                }
                boolean cu = ru.answers().get(0).equals(e.getValue());
                boolean ca = rA.answers().get(0).equals(e.getValue());
                b += cu && !ca ? 1 : 0;
                c += !cu && ca ? 1 : 0;
            }
            double pv = b + c == 0 ? 1.0
                    : Math.min(1.0, 2 * BinomialDistribution.of(b + c, 0.5).cumulativeProbability(Math.min(b, c)));
            mcnemar.add(new McNemar(reader, b, c, pv));
        }
        // Obuchowski-Rockette on top-1 accuracy, and on the AUC of "abnormal" where a normal label exists
        List<String[]> acc = new ArrayList<>();
        List<String[]> auc = new ArrayList<>();
        int levels = p.confidenceLevels();
        boolean bothClasses = p.normalLabel() != null && ref.containsValue(p.normalLabel())
                && ref.values().stream().anyMatch(v -> !v.equals(p.normalLabel()));
        Map<String, List<double[]>> roc = new LinkedHashMap<>();
        for (String reader : readers) {
            // aided first, so the analyses' differences read aided - unaided
            for (String arm : List.of(ReaderSession.AIDED, ReaderSession.UNAIDED)) {
                Map<String, ReadLog.Read> m = by.getOrDefault(reader, Map.of()).getOrDefault(arm, Map.of());
                List<Double> ratings = new ArrayList<>();
                List<Integer> truths = new ArrayList<>();
                for (Map.Entry<String, String> e : ref.entrySet()) {
                    ReadLog.Read r = m.get(e.getKey());
                    if (r == null) {
                        continue;
                    }
                    acc.add(row(reader, arm, e.getKey(), 1, r.answers().get(0).equals(e.getValue()) ? 1 : 0));
                    if (bothClasses) {
                        int truth = e.getValue().equals(p.normalLabel()) ? 0 : 1;
                        double rating = abnormalRating(r, p.normalLabel(), levels);
                        auc.add(row(reader, arm, e.getKey(), truth, rating));
                        ratings.add(rating);
                        truths.add(truth);
                    }
                }
                if (bothClasses && !ratings.isEmpty()) {
                    roc.put(reader + "\u0000" + arm, rocCurve(ratings, truths));
                }
            }
        }
        Mrmc accuracy = mrmc(acc, OrAnalysis.Metric.ACCURACY, OrAnalysis.Covariance.JACKKNIFE);
        Mrmc area = bothClasses ? mrmc(auc, OrAnalysis.Metric.AUC, OrAnalysis.Covariance.DELONG)
                : new Mrmc(null, "Not computed: the study needs a normal label and reference cases both normal and abnormal.");
        OrAnalysis.Result accOr = accuracy.result();
        String accNote = accuracy.note();
        OrAnalysis.Result aucOr = area.result();
        String aucNote = area.note();
        int ai1 = 0;
        int aik = 0;
        int aiN = 0;
        for (Map.Entry<String, String> e : ref.entrySet()) {
            List<String> top = aiTop.get(e.getKey());
            if (top == null) {
                continue;
            }
            aiN++;
            ai1 += top.get(0).equals(e.getValue()) ? 1 : 0;
            aik += top.subList(0, Math.min(k, top.size())).contains(e.getValue()) ? 1 : 0;
        }
        List<DiagnosisRow> perDiagnosis = new ArrayList<>();
        for (String label : p.labels()) {
            List<String> cases = ref.entrySet().stream().filter(e -> e.getValue().equals(label)).map(Map.Entry::getKey).toList();
            if (cases.isEmpty()) {
                continue;
            }
            double[] armAcc = new double[2];
            for (int i = 0; i < 2; i++) {
                int n = 0;
                int c = 0;
                for (String reader : readers) {
                    Map<String, ReadLog.Read> m = by.getOrDefault(reader, Map.of()).getOrDefault(ARMS.get(i), Map.of());
                    for (String cid : cases) {
                        ReadLog.Read r = m.get(cid);
                        if (r != null) {
                            n++;
                            c += r.answers().get(0).equals(label) ? 1 : 0;
                        }
                    }
                }
                armAcc[i] = n == 0 ? Double.NaN : (double) c / n;
            }
            long aiRight = cases.stream().filter(cid -> aiTop.containsKey(cid) && aiTop.get(cid).get(0).equals(label)).count();
            long aiShown = cases.stream().filter(aiTop::containsKey).count();
            perDiagnosis.add(new DiagnosisRow(label, cases.size(), armAcc[0], armAcc[1],
                    aiShown == 0 ? Double.NaN : (double) aiRight / aiShown));
        }
        return new StudyReport(p, List.copyOf(readers), profiles, perReader, arms, mcnemar, accOr, accNote, aucOr, aucNote,
                Proportion.of(ai1, aiN), Proportion.of(aik, aiN), perDiagnosis, roc, ref.size(), reads.size());
    }

    private record Mrmc(OrAnalysis.Result result, String note) {}

    /** The Obuchowski-Rockette analysis of the rows, or why there is none. */
    private static Mrmc mrmc(List<String[]> rows, OrAnalysis.Metric metric, OrAnalysis.Covariance cov) {
        try {
            return new Mrmc(OrAnalysis.analyze(MrmcData.of("the read log", rows), metric, cov, 0.05), null);
        } catch (IOException e) {
            return new Mrmc(null, "Not computed: " + e.getMessage());
        } catch (RuntimeException e) {
            return new Mrmc(null, DEGENERATE);
        }
    }

    /** 1..2L: a normal first answer at high confidence is 1, an abnormal one at high confidence is 2L. */
    static double abnormalRating(ReadLog.Read r, String normal, int levels) {
        return r.answers().get(0).equals(normal) ? levels + 1 - r.confidence() : levels + r.confidence();
    }

    private static String[] row(String reader, String arm, String caseId, int truth, double rating) {
        return new String[] {reader, arm, caseId, Integer.toString(truth), Double.toString(rating), "-"};
    }

    /** Empirical ROC points (false-positive rate, true-positive rate), from (0,0) to (1,1). */
    static List<double[]> rocCurve(List<Double> ratings, List<Integer> truths) {
        long pos = truths.stream().filter(t -> t == 1).count();
        long neg = truths.size() - pos;
        List<double[]> pts = new ArrayList<>();
        List<Double> thresholds = ratings.stream().distinct().sorted(java.util.Comparator.reverseOrder()).toList();
        pts.add(new double[] {0, 0});
        for (double th : thresholds) {
            int tp = 0;
            int fp = 0;
            for (int i = 0; i < ratings.size(); i++) {
                if (ratings.get(i) >= th) {
                    if (truths.get(i) == 1) {
                        tp++;
                    } else {
                        fp++;
                    }
                }
            }
            pts.add(new double[] {neg == 0 ? 0 : (double) fp / neg, pos == 0 ? 0 : (double) tp / pos});
        }
        return pts;
    }

    private static long median(List<Long> v) {
        if (v.isEmpty()) {
            return 0;
        }
        List<Long> s = v.stream().sorted().toList();
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }
}
