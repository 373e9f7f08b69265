package org.funduslens.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.funduslens.model.Diagnosis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecisionLogTest {
    @TempDir
    Path tmp;

    static Decision sample(String code, boolean demo) {
        return new Decision(Instant.parse("2026-11-22T08:00:00Z"), "dr.reader", "/images/a.jpg", "ab".repeat(32),
                "bundle-x", "cd".repeat(32), demo, demo ? "DEMO \u2014 random weights, not a diagnosis" : null, "CPU", true,
                List.of(new Diagnosis(3, "GLC", "Glaucoma", 0.5), new Diagnosis(0, "NORMAL", "Normal", 0.3)),
                "GLC".equals(code), code, code + " name", 4, "cup-to-disc 0.7, \"refer\"", Decision.Referral.ROUTINE, 41_500L,
                "GLC".equals(code) ? List.of("NORMAL") : List.of());
    }

    @Test
    void appendsAndReadsBackAcrossReopening() throws Exception {
        Path f = tmp.resolve("log.sqlite");
        try (DecisionLog log = DecisionLog.open(f)) {
            assertEquals(1, log.append(sample("GLC", true)));
            assertEquals(2, log.append(sample("NORMAL", false)));
        }
        try (DecisionLog log = DecisionLog.open(f)) {
            List<DecisionLog.Entry> all = log.readAll();
            assertEquals(2, all.size());
            assertEquals(sample("GLC", true), all.get(0).decision());
            assertEquals(sample("NORMAL", false), all.get(1).decision());
        }
    }

    @Test
    void recordedDecisionsCannotBeChangedOrDeleted() throws Exception {
        Path f = tmp.resolve("log.sqlite");
        try (DecisionLog log = DecisionLog.open(f)) {
            log.append(sample("GLC", true));
        }
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + f)) {
            SQLException u = assertThrows(SQLException.class,
                    () -> c.createStatement().executeUpdate("UPDATE decision SET decision_code = 'X'"));
            assertTrue(u.getMessage().contains("append-only"), u.getMessage());
            assertThrows(SQLException.class, () -> c.createStatement().executeUpdate("DELETE FROM decision"));
            var rs = c.createStatement().executeQuery("PRAGMA journal_mode");
            rs.next();
            assertEquals("wal", rs.getString(1));
        }
    }

    @Test
    void aDemoDecisionWithoutTheNoticeIsRefusedByTheSchema() throws Exception {
        try (DecisionLog log = DecisionLog.open(tmp.resolve("log.sqlite"))) {
            Decision d = sample("GLC", true);
            Decision noNotice = new Decision(d.recordedAt(), d.reader(), d.imagePath(), d.imageSha256(), d.bundleId(),
                    d.bundleSha256(), true, null, d.provider(), true, d.aiTop(), true, "GLC", "g", 3, "", null, null, null);
            DecisionLogException e = assertThrows(DecisionLogException.class, () -> log.append(noNotice));
            assertTrue(e.getMessage().contains("log.sqlite"), e.getMessage());
        }
    }

    @Test
    void confidenceOutsideOneToFiveIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Decision(Instant.now(), "r", "p", null, "b", "s", false, null,
                "CPU", true, List.of(), true, "GLC", "g", 6, "", null, null, null));
    }

    @Test
    void aLogFromANewerVersionIsNotTouched() throws Exception {
        Path f = tmp.resolve("future.sqlite");
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + f)) {
            c.createStatement().execute("PRAGMA user_version = 99");
        }
        DecisionLogException e = assertThrows(DecisionLogException.class, () -> DecisionLog.open(f));
        assertTrue(e.getMessage().contains("newer"), e.getMessage());
    }

    @Test
    void aVersionOneLogIsMigratedWithoutTouchingItsRows() throws Exception {
        Path f = tmp.resolve("v1.sqlite");
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + f)) {
            var s = c.createStatement();
            s.execute("CREATE TABLE decision (id INTEGER PRIMARY KEY AUTOINCREMENT, recorded_at TEXT NOT NULL, reader TEXT NOT NULL,"
                    + " image_path TEXT NOT NULL, image_sha256 TEXT, bundle_id TEXT NOT NULL, bundle_sha256 TEXT NOT NULL,"
                    + " demo INTEGER NOT NULL, notice TEXT, provider TEXT NOT NULL, ai_shown INTEGER NOT NULL,"
                    + " ai_top_json TEXT NOT NULL, agrees_with_ai INTEGER NOT NULL, decision_code TEXT NOT NULL,"
                    + " decision_name TEXT NOT NULL, confidence INTEGER NOT NULL, note TEXT NOT NULL DEFAULT '')");
            s.execute("INSERT INTO decision (recorded_at, reader, image_path, bundle_id, bundle_sha256, demo, provider, ai_shown,"
                    + " ai_top_json, agrees_with_ai, decision_code, decision_name, confidence) VALUES"
                    + " ('2026-01-01T00:00:00Z', 'r', '/a.jpg', 'b', 's', 0, 'CPU', 1, '[]', 1, 'NORMAL', 'Normal', 3)");
            s.execute("PRAGMA user_version = 1");
        }
        try (DecisionLog log = DecisionLog.open(f)) {
            List<DecisionLog.Entry> all = log.readAll();
            assertEquals(1, all.size());
            assertEquals(null, all.get(0).decision().referral());
            assertEquals(List.of(), all.get(0).decision().differential(), "a version-1 row has no differential");
            log.append(sample("GLC", false));
            assertEquals(Decision.Referral.ROUTINE, log.readAll().get(1).decision().referral());
            assertEquals(List.of("NORMAL"), log.readAll().get(1).decision().differential());
        }
    }

    @Test
    void decisionsExportAsCsv() throws Exception {
        Path f = tmp.resolve("log.sqlite");
        try (DecisionLog log = DecisionLog.open(f)) {
            log.append(sample("GLC", true));
            log.append(sample("NORMAL", false));
            Path csv = tmp.resolve("out/decisions.csv");
            assertEquals(2, log.exportCsv(csv));
            List<String> lines = java.nio.file.Files.readAllLines(csv);
            assertEquals(3, lines.size());
            assertTrue(lines.get(0).startsWith("id,recorded_at,reader,"));
            assertTrue(lines.get(1).contains(",GLC,0.5,GLC;NORMAL,true,GLC,GLC name,NORMAL,4,"), lines.get(1));
            assertTrue(lines.get(1).contains("\"cup-to-disc 0.7, \"\"refer\"\"\""), lines.get(1));
            assertTrue(lines.get(1).contains(",routine,41500,"), lines.get(1));
            assertTrue(lines.get(1).contains("DEMO"), "the demo notice travels with the row");
        }
    }

    @Test
    void recentFilesKeepsTheNewestTen() throws Exception {
        RecentFiles r = new RecentFiles(tmp.resolve("recent.txt"));
        for (int i = 0; i < 12; i++) {
            r.add(tmp.resolve("img" + i + ".jpg"));
        }
        r.add(tmp.resolve("img5.jpg"));
        List<Path> list = r.list();
        assertEquals(10, list.size());
        assertEquals(tmp.resolve("img5.jpg"), list.get(0));
        assertEquals(tmp.resolve("img11.jpg"), list.get(1));
    }
}
