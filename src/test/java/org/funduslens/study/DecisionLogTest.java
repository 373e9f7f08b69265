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
                "GLC".equals(code), code, code + " name", 4, "cup-to-disc 0.7");
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
                    d.bundleSha256(), true, null, d.provider(), true, d.aiTop(), true, "GLC", "g", 3, "");
            DecisionLogException e = assertThrows(DecisionLogException.class, () -> log.append(noNotice));
            assertTrue(e.getMessage().contains("log.sqlite"), e.getMessage());
        }
    }

    @Test
    void confidenceOutsideOneToFiveIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Decision(Instant.now(), "r", "p", null, "b", "s", false, null,
                "CPU", true, List.of(), true, "GLC", "g", 6, ""));
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
