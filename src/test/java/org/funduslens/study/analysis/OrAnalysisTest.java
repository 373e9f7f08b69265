package org.funduslens.study.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.funduslens.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Obuchowski–Rockette analysis against the published OR-DBM MRMC 2.5 results on the Van Dyke data. */
class OrAnalysisTest {
    @TempDir
    Path tmp;

    private static Path vandyke() {
        return TestData.shared().resolve("mrmc/vandyke.csv");
    }

    @Test
    void reproducesThePublishedVanDykeAnalysis() throws Exception {
        OrAnalysis.Result r = OrAnalysis.analyze(MrmcData.readCsv(vandyke()), OrAnalysis.Metric.AUC,
                OrAnalysis.Covariance.JACKKNIFE, 0.05);
        double[][] auc = {
            {0.91964573, 0.85877617, 0.90386473, 0.97310789, 0.82979066},
            {0.94782609, 0.90531401, 0.92173913, 0.99935588, 0.92995169}};
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 5; j++) {
                assertEquals(auc[i][j], r.fom()[i][j], 1e-8, "reader " + j + " treatment " + i);
            }
        }
        assertEquals(0.89703704, r.treatmentMeans()[0], 1e-8);
        assertEquals(0.94083736, r.treatmentMeans()[1], 1e-8);
        assertEquals(-0.04380032, r.rrrc().diff(), 1e-8);
        assertEquals(0.00479617, r.msT(), 1e-8);
        assertEquals(0.00383620, r.msR(), 1e-8);
        assertEquals(0.00055103, r.msTR(), 1e-8);
        assertEquals(0.00034661, r.cov1(), 1e-8);
        assertEquals(0.00034407, r.cov2(), 1e-8);
        assertEquals(0.00023903, r.cov3(), 1e-8);
        assertEquals(0.00080229, r.varError(), 1e-8);
        // random readers and cases
        assertEquals(4.456319, r.rrrc().statistic(), 1e-6);
        assertEquals(15.26, r.rrrc().df2(), 0.005);
        assertEquals(0.0517, r.rrrc().p(), 5e-5);
        assertEquals(0.02075, r.rrrc().stdErr(), 5e-6);
        assertEquals(-0.08796, r.rrrc().ciLow(), 5e-6);
        assertEquals(0.00036, r.rrrc().ciHigh(), 5e-6);
        // fixed readers
        assertEquals(5.47595, r.frrc().statistic(), 5e-6);
        assertEquals(0.0193, r.frrc().p(), 5e-5);
        assertEquals(-0.08049, r.frrc().ciLow(), 5e-6);
        assertEquals(-0.00711, r.frrc().ciHigh(), 5e-6);
        // fixed cases (= the paired t test on reader AUCs)
        assertEquals(8.70, r.rrfc().statistic(), 5e-3);
        assertEquals(4, r.rrfc().df2());
        assertEquals(0.0420, r.rrfc().p(), 5e-5);
        // each treatment alone
        assertEquals(0.03317360, r.singles().get(0).stdErr(), 1e-8);
        assertEquals(12.74, r.singles().get(0).df(), 0.005);
        assertEquals(0.82522360, r.singles().get(0).ciLow(), 1e-8);
        assertEquals(0.96885048, r.singles().get(0).ciHigh(), 1e-8);
        assertEquals(0.02156637, r.singles().get(1).stdErr(), 1e-8);
        assertEquals(0.89413783, r.singles().get(1).ciLow(), 1e-8);
        assertEquals(0.98753689, r.singles().get(1).ciHigh(), 1e-8);
    }

    @Test
    void accuracyIsTheMeanOfCorrectReads() throws Exception {
        StringBuilder csv = new StringBuilder("reader,treatment,case,truth,rating\n");
        // reader A: unaided 2 of 4 correct, aided 3 of 4; reader B: 1 of 4 and 4 of 4; reader C: 2 and 2
        int[][][] correct = {{{1, 0, 1, 0}, {1, 1, 1, 0}}, {{0, 0, 1, 0}, {1, 1, 1, 1}}, {{1, 1, 0, 0}, {1, 0, 1, 0}}};
        String[] readers = {"A", "B", "C"};
        for (int j = 0; j < 3; j++) {
            for (int i = 0; i < 2; i++) {
                for (int k = 0; k < 4; k++) {
                    csv.append(readers[j]).append(',').append(i == 0 ? "unaided" : "aided").append(",c").append(k)
                            .append(",1,").append(correct[j][i][k]).append('\n');
                }
            }
        }
        Path f = Files.writeString(tmp.resolve("acc.csv"), csv);
        OrAnalysis.Result r = OrAnalysis.analyze(MrmcData.readCsv(f), OrAnalysis.Metric.ACCURACY,
                OrAnalysis.Covariance.JACKKNIFE, 0.05);
        assertEquals(0.5, r.fom()[0][0], 1e-12);
        assertEquals(1.0, r.fom()[1][1], 1e-12);
        assertEquals((5 / 12.0) - (9 / 12.0), r.rrrc().diff(), 1e-12);
        assertTrue(r.rrrc().p() > 0 && r.rrrc().p() < 1);
    }

    @Test
    void incompleteOrInconsistentDataIsRefusedByLine() throws Exception {
        Path missing = Files.writeString(tmp.resolve("m.csv"), "reader,treatment,case,truth,rating\nA,0,c1,1,1\nA,1,c1,1,1\nB,0,c1,1,1\n");
        var e = assertThrows(java.io.IOException.class, () -> MrmcData.readCsv(missing));
        assertTrue(e.getMessage().contains("reader B has no rating of case c1"), e.getMessage());
        Path truth = Files.writeString(tmp.resolve("t.csv"), "reader,treatment,case,truth,rating\nA,0,c1,1,1\nA,1,c1,0,1\n");
        assertTrue(assertThrows(java.io.IOException.class, () -> MrmcData.readCsv(truth)).getMessage().contains("case c1 has truth"));
        Path header = Files.writeString(tmp.resolve("h.csv"), "who,what\n");
        assertTrue(assertThrows(java.io.IOException.class, () -> MrmcData.readCsv(header)).getMessage().contains("no column"));
    }
}
