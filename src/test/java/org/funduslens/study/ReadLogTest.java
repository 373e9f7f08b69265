package org.funduslens.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import org.funduslens.study.analysis.MrmcData;
import org.funduslens.study.analysis.OrAnalysis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hash-chained read log, the protocol, and the path from reads to the statistics. */
class ReadLogTest {
    @TempDir
    Path tmp;

    private Path protocol() throws Exception {
        return Files.writeString(tmp.resolve("study.json"), """
            {"id": "rz-replication", "title": "RetiZero reader study, clinic cases", "seed": 42,
             "labels": ["NORMAL", "DR2", "GLC", "AMD_WET"], "bundle": "retizero",
             "design": "sequential", "ranked_answers": 3,
             "cases": [{"id": "c1", "image": "a.jpg", "reference": "NORMAL"}, {"id": "c2", "image": "b.jpg", "reference": "DR2"},
                       {"id": "c3", "image": "c.jpg", "reference": "GLC"}, {"id": "c4", "image": "d.jpg", "reference": "AMD_WET"},
                       {"id": "c5", "image": "e.jpg", "reference": "DR2"}]}
            """);
    }

    private static ReadLog.Read read(String reader, String caseId, String arm, List<String> answers, Long corrects) {
        return new ReadLog.Read("rz-replication", "abc", reader, caseId, arm, arm.equals("unaided") ? 1 : 2, 0, answers, 3,
                12_000, arm.equals("aided") ? "retizero" : null, null, arm.equals("aided") ? List.of("DR2", "NORMAL", "GLC") : List.of(),
                false, arm.equals("aided") ? Boolean.FALSE : null, corrects, "2026-11-22T09:00:00Z", "0.1.0");
    }

    @Test
    void theProtocolIsValidatedAndOrdersAreReproducible() throws Exception {
        StudyProtocol p = StudyProtocol.read(protocol());
        assertEquals(5, p.cases().size());
        assertEquals(64, p.sha256().length());
        assertEquals(p.orderFor("reader-7"), StudyProtocol.read(protocol()).orderFor("reader-7"), "same seed, same order");
        assertFalse(p.orderFor("reader-7").equals(p.orderFor("reader-8")) && p.orderFor("reader-8").equals(p.orderFor("reader-9")),
                "readers get their own orders");
        Path bad = Files.writeString(tmp.resolve("bad.json"), "{\"id\": \"x\", \"labels\": [\"A\", \"B\"], \"cases\": "
                + "[{\"id\": \"c1\", \"image\": \"a.jpg\", \"reference\": \"Z\"}]}");
        var e = assertThrows(java.io.IOException.class, () -> StudyProtocol.read(bad));
        assertTrue(e.getMessage().startsWith("bad.json: case 'c1' has reference 'Z'"), e.getMessage());
    }

    @Test
    void anIntactChainVerifiesAndTamperingIsFound() throws Exception {
        Path db = tmp.resolve("reads.sqlite");
        try (ReadLog log = ReadLog.open(db)) {
            for (String c : List.of("c1", "c2", "c3", "c4")) {
                log.append(read("r1", c, "unaided", List.of("NORMAL", "DR2", "GLC"), null));
            }
            assertEquals(4, log.readAll().size());
            assertEquals(java.util.Set.of("c1", "c2", "c3", "c4"), log.readCases("rz-replication", "r1", "unaided"));
        }
        assertTrue(ReadLog.verify(db).intact());
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            assertThrows(SQLException.class, () -> c.createStatement().executeUpdate("UPDATE read SET arm = 'aided'"));
            assertThrows(SQLException.class, () -> c.createStatement().executeUpdate("DELETE FROM read"));
            // someone with the file drops the triggers and edits one answer, then deletes a row
            c.createStatement().execute("DROP TRIGGER read_no_update");
            c.createStatement().execute("DROP TRIGGER read_no_delete");
            c.createStatement().executeUpdate("UPDATE read SET content = replace(content, 'GLC', 'AMD_WET') WHERE id = 2");
            c.createStatement().executeUpdate("DELETE FROM read WHERE id = 3");
        }
        ReadLog.Verification v = ReadLog.verify(db);
        assertFalse(v.intact());
        assertTrue(v.problems().stream().anyMatch(p -> p.contains("row 2 was changed")), v.problems().toString());
        assertTrue(v.problems().stream().anyMatch(p -> p.contains("deleted")), v.problems().toString());
    }

    @Test
    void readsBecomeAnMrmcAnalysis() throws Exception {
        StudyProtocol p = StudyProtocol.read(protocol());
        Path db = tmp.resolve("reads.sqlite");
        String[] refs = {"NORMAL", "DR2", "GLC", "AMD_WET", "DR2"};
        try (ReadLog log = ReadLog.open(db)) {
            for (String reader : List.of("r1", "r2", "r3")) {
                for (int k = 0; k < 5; k++) {
                    String ref = refs[k];
                    // unaided: right on even cases; aided: right except on case 5 for r3
                    boolean unaided = k % 2 == 0;
                    boolean aided = !(reader.equals("r3") && k == 4);
                    log.append(read(reader, "c" + (k + 1), "unaided", List.of(unaided ? ref : "GLC".equals(ref) ? "NORMAL" : "GLC",
                            "AMD_WET", "NORMAL"), null));
                    log.append(read(reader, "c" + (k + 1), "aided", List.of(aided ? ref : "NORMAL", "GLC", "AMD_WET"), null));
                }
            }
            // a correction: r1 revises case c2 unaided to the right answer; the export keeps the latest
            long first = log.readAll().stream().filter(e -> e.read().reader().equals("r1") && e.read().caseId().equals("c2")
                    && e.read().arm().equals("unaided")).findFirst().orElseThrow().id();
            log.append(read("r1", "c2", "unaided", List.of("DR2", "GLC", "NORMAL"), first));
            Path longCsv = tmp.resolve("reads.csv");
            Path mrmc = tmp.resolve("mrmc.csv");
            log.export(p, longCsv, mrmc, 1);
            assertEquals(32, Files.readAllLines(longCsv).size(), "header + 31 reads");
            assertEquals(31, Files.readAllLines(mrmc).size(), "header + 3 readers x 2 arms x 5 cases");
            OrAnalysis.Result r = OrAnalysis.analyze(MrmcData.readCsv(mrmc), OrAnalysis.Metric.ACCURACY,
                    OrAnalysis.Covariance.JACKKNIFE, 0.05);
            assertEquals(List.of("unaided", "aided"), r.treatments());
            assertEquals(0.8, r.fom()[0][0], 1e-12, "r1 unaided: c1, c3, c5 and the corrected c2");
            assertEquals(1.0, r.fom()[1][0], 1e-12);
            assertEquals(0.8, r.fom()[1][2], 1e-12);
        }
        assertTrue(ReadLog.verify(db).intact());
    }
}
