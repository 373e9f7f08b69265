package org.funduslens.study.analysis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A fully crossed multi-reader multi-case data set: every reader rates every case under every treatment (modality or
 * arm), with each case's truth (1 diseased / correct answer exists, 0 not). Read from the long CSV layout
 * {@code reader,treatment,case,truth,rating}.
 */
public final class MrmcData {
    private final List<String> readers;
    private final List<String> treatments;
    private final List<String> cases;
    private final int[] truth;              // per case
    private final double[][][] rating;      // [treatment][reader][case]

    private MrmcData(List<String> readers, List<String> treatments, List<String> cases, int[] truth, double[][][] rating) {
        this.readers = readers;
        this.treatments = treatments;
        this.cases = cases;
        this.truth = truth;
        this.rating = rating;
    }

    public static MrmcData readCsv(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IOException(file.getFileName() + ": is empty; expected the header reader,treatment,case,truth,rating.");
        }
        String[] header = lines.get(0).replace("\"", "").toLowerCase(Locale.ROOT).split(",");
        Map<String, Integer> col = new LinkedHashMap<>();
        for (int i = 0; i < header.length; i++) {
            col.put(header[i].strip(), i);
        }
        for (String c : List.of("reader", "treatment", "case", "truth", "rating")) {
            if (!col.containsKey(c)) {
                throw new IOException(file.getFileName() + ": has no column '" + c + "' (the header must name reader,treatment,case,truth,rating).");
            }
        }
        List<String[]> rows = new ArrayList<>();
        for (int n = 1; n < lines.size(); n++) {
            if (lines.get(n).isBlank()) {
                continue;
            }
            String[] f = lines.get(n).replace("\"", "").split(",", -1);
            if (f.length < header.length) {
                throw new IOException(file.getFileName() + ": line " + (n + 1) + " has " + f.length + " fields, not " + header.length + ".");
            }
            rows.add(new String[] {f[col.get("reader")].strip(), f[col.get("treatment")].strip(), f[col.get("case")].strip(),
                    f[col.get("truth")].strip(), f[col.get("rating")].strip(), Integer.toString(n + 1)});
        }
        return of(file.getFileName().toString(), rows);
    }

    /** Rows of reader, treatment, case, truth, rating (and the line number for messages). */
    static MrmcData of(String source, List<String[]> rows) throws IOException {
        List<String> readers = new ArrayList<>();
        List<String> treatments = new ArrayList<>();
        List<String> cases = new ArrayList<>();
        for (String[] r : rows) {
            if (!readers.contains(r[0])) {
                readers.add(r[0]);
            }
            if (!treatments.contains(r[1])) {
                treatments.add(r[1]);
            }
            if (!cases.contains(r[2])) {
                cases.add(r[2]);
            }
        }
        int[] truth = new int[cases.size()];
        java.util.Arrays.fill(truth, -1);
        double[][][] rating = new double[treatments.size()][readers.size()][cases.size()];
        boolean[][][] seen = new boolean[treatments.size()][readers.size()][cases.size()];
        for (String[] r : rows) {
            int i = treatments.indexOf(r[1]);
            int j = readers.indexOf(r[0]);
            int k = cases.indexOf(r[2]);
            int t;
            double v;
            try {
                t = (int) Double.parseDouble(r[3]);
                v = Double.parseDouble(r[4]);
            } catch (NumberFormatException e) {
                throw new IOException(source + ": line " + r[5] + " has a truth or rating that is not a number.");
            }
            if (t != 0 && t != 1) {
                throw new IOException(source + ": line " + r[5] + " has truth " + r[3] + "; truth is 0 or 1.");
            }
            if (truth[k] >= 0 && truth[k] != t) {
                throw new IOException(source + ": case " + r[2] + " has truth " + truth[k] + " and " + t + " on different lines.");
            }
            truth[k] = t;
            if (seen[i][j][k]) {
                throw new IOException(source + ": line " + r[5] + " rates case " + r[2] + " a second time for reader "
                        + r[0] + " and treatment " + r[1] + ".");
            }
            seen[i][j][k] = true;
            rating[i][j][k] = v;
        }
        for (int i = 0; i < treatments.size(); i++) {
            for (int j = 0; j < readers.size(); j++) {
                for (int k = 0; k < cases.size(); k++) {
                    if (!seen[i][j][k]) {
                        throw new IOException(source + ": reader " + readers.get(j) + " has no rating of case " + cases.get(k)
                                + " under treatment " + treatments.get(i) + "; the analysis needs every reader on every case.");
                    }
                }
            }
        }
        if (treatments.size() < 2 || readers.size() < 2) {
            throw new IOException(source + ": needs at least two treatments and two readers.");
        }
        return new MrmcData(List.copyOf(readers), List.copyOf(treatments), List.copyOf(cases), truth, rating);
    }

    public List<String> readers() {
        return readers;
    }

    public List<String> treatments() {
        return treatments;
    }

    public List<String> cases() {
        return cases;
    }

    int[] truth() {
        return truth;
    }

    double[][][] rating() {
        return rating;
    }
}
