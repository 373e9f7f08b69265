package org.funduslens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.funduslens.TestData;
import org.junit.jupiter.api.Test;

/** The {@code study} commands: analyze on the Van Dyke reference data; a study from enrolment to merged sites. */
class StudyCommandTest {
    private static Path vandyke() {
        return TestData.shared().resolve("mrmc/vandyke.csv");
    }

    @Test
    void theCliContract() throws Exception {
        var run = PredictCommandTest.cli("study", "analyze", "--data", vandyke().toString(), "--metric", "auc", "--cov",
                "jackknife", "--json");
        assertEquals(0, run.code(), run.err());
        JsonNode o = run.lines().get(0);
        assertEquals(0.91964573, o.get("reader_metric").get("0").get("0").asDouble(), 1e-8);
        assertEquals(0.94083736, o.get("treatment_means").get("1").asDouble(), 1e-8);
        assertEquals(4.456319, o.get("rrrc").get("f").asDouble(), 1e-6);
        assertEquals(0.0517, o.get("rrrc").get("p").asDouble(), 5e-5);
        assertEquals(2, o.get("rrrc").get("ci").size());
        assertTrue(o.get("frrc").has("chi2"));
        assertTrue(o.get("rrfc").has("ddf"));
        var delong = PredictCommandTest.cli("study", "analyze", "--data", vandyke().toString(), "--cov", "delong", "--json");
        assertEquals(0, delong.code(), delong.err());
        double f = delong.lines().get(0).get("rrrc").get("f").asDouble();
        assertTrue(f > 4 && f < 5, "DeLong covariances give a close but different F: " + f);
        assertEquals(2, PredictCommandTest.cli("study", "analyze", "--data", vandyke().toString(), "--metric", "accuracy",
                "--cov", "delong").code());
    }


    @org.junit.jupiter.api.io.TempDir
    Path tmp;

    @Test
    void aStudyFromEnrolmentToReportAndMergedSites() throws Exception {
        Path data = TestData.shared();
        Path protocol = java.nio.file.Files.writeString(tmp.resolve("s.json"), """
            {"id": "cli-study", "labels": ["NORMAL", "DR1", "DR3"], "seed": 1,
             "cases": [{"id": "a", "image": "%s", "reference": "NORMAL"}, {"id": "b", "image": "%s", "reference": "DR1"},
                       {"id": "c", "image": "%s", "reference": "DR3"}]}
            """.formatted(data.resolve("fundus/hrf/01_h.jpg"), data.resolve("fundus/jsiec/fundus_dr_mild.jpg"),
                data.resolve("fundus/jsiec/fundus_dr_severe.jpg")));
        Path pkg = tmp.resolve("s.flstudy");
        var packaged = PredictCommandTest.cli("study", "package", "--protocol", protocol.toString(), "--out", pkg.toString());
        assertEquals(0, packaged.code(), packaged.err());
        assertTrue(packaged.out().contains("3 de-identified cases"), packaged.out());
        var imported = PredictCommandTest.cli("study", "import", pkg.toString(), "--into", tmp.resolve("site").toString());
        assertEquals(0, imported.code(), imported.err());
        Path siteProtocol = tmp.resolve("site/protocol.json");
        Path db = tmp.resolve("site/reads.sqlite");
        for (String r : java.util.List.of("x", "y")) {
            var enrol = PredictCommandTest.cli("study", "enrol", "--db", db.toString(), "--protocol", siteProtocol.toString(),
                    "--reader", r, "--years", "7", "--country", "NZ");
            assertEquals(0, enrol.code(), enrol.err());
        }
        assertEquals(1, PredictCommandTest.cli("study", "enrol", "--db", db.toString(), "--protocol", siteProtocol.toString(),
                "--reader", "x").code(), "enrolling twice is refused");
        var p = org.funduslens.study.StudyProtocol.read(siteProtocol);
        try (var log = org.funduslens.study.ReadLog.open(db)) {
            for (String r : java.util.List.of("x", "y")) {
                var s = org.funduslens.study.ReaderSession.open(p, log, r, java.time.Clock.systemUTC(), "t");
                while (s.current() != null) {
                    var t = s.current();
                    s.submit(java.util.List.of(t.aided() || r.equals("y") ? t.item().reference() : "NORMAL"), 4, t.aided()
                            ? new org.funduslens.study.ReaderSession.AiShown("demo", "ab", java.util.List.of("DR3", "DR1", "NORMAL"), true)
                            : null);
                }
            }
        }
        Path html = tmp.resolve("report.html");
        var report = PredictCommandTest.cli("study", "report", "--db", db.toString(), "--protocol", siteProtocol.toString(),
                "--html", html.toString());
        assertEquals(0, report.code(), report.err());
        JsonNode o = report.lines().get(0);
        assertEquals(1.0, o.get("arms").get("aided").get("mean_top1").asDouble(), 1e-12);
        assertEquals((1.0 / 3 + 1.0) / 2, o.get("arms").get("unaided").get("mean_top1").asDouble(), 1e-12);
        assertEquals(2, o.get("mcnemar").size());
        assertTrue(java.nio.file.Files.readString(html).contains("<svg"));
        Path imrmc = tmp.resolve("s.imrmc");
        var export = PredictCommandTest.cli("study", "export", "--db", db.toString(), "--protocol", siteProtocol.toString(),
                "--imrmc", imrmc.toString());
        assertEquals(0, export.code(), export.err());
        assertTrue(java.nio.file.Files.readString(imrmc).contains("BEGIN DATA:"));
        Path results = tmp.resolve("nz.flresults");
        var res = PredictCommandTest.cli("study", "results", "--db", db.toString(), "--protocol", siteProtocol.toString(),
                "--site", "auckland", "--out", results.toString());
        assertEquals(0, res.code(), res.err());
        Path merged = tmp.resolve("merged.sqlite");
        var merge = PredictCommandTest.cli("study", "merge", "--package", pkg.toString(), "--out", merged.toString(), results.toString());
        assertEquals(0, merge.code(), merge.err());
        assertTrue(merge.out().startsWith("merged site auckland (key "), merge.out());
        assertTrue(merge.out().contains("2 readers, 12 reads"), merge.out());
        var verify = PredictCommandTest.cli("study", "verify", merged.toString());
        assertEquals(0, verify.code(), verify.out());
        var bad = PredictCommandTest.cli("study", "merge", "--package", results.toString(), "--out", tmp.resolve("m2.sqlite").toString(),
                results.toString());
        assertEquals(1, bad.code());
        assertEquals("study merge: nz.flresults: is a funduslens-site-results, not a funduslens-study-package.", bad.err().strip());
        assertTrue(!java.nio.file.Files.exists(tmp.resolve("m2.sqlite")), "a refused merge leaves no file");
    }
}
