package org.funduslens.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.funduslens.study.analysis.HtmlReport;
import org.funduslens.study.analysis.ImrmcExport;
import org.funduslens.study.analysis.StudyReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reader's pass through a study (order, arms, resume, washout) and the analysis of the reads it leaves. */
class ReaderSessionTest {
    @TempDir
    Path tmp;

    private StudyProtocol protocol(String design) throws Exception {
        return StudyProtocol.read(Files.writeString(tmp.resolve(design + ".json"), """
            {"id": "s-%s", "title": "Five cases", "seed": 7, "labels": ["NORMAL", "DR1", "DR3", "MH"],
             "design": "%s", "washout_days": 14,
             "cases": [{"id": "c1", "image": "a.jpg", "reference": "NORMAL"}, {"id": "c2", "image": "b.jpg", "reference": "DR1"},
                       {"id": "c3", "image": "c.jpg", "reference": "DR3"}, {"id": "c4", "image": "d.jpg", "reference": "MH"},
                       {"id": "c5", "image": "e.jpg", "reference": "NORMAL"}]}
            """.formatted(design, design)));
    }

    private static ReaderSession.AiShown ai(String first) {
        return new ReaderSession.AiShown("demo", "ab12", List.of(first, "DR1", "MH"), true);
    }

    @Test
    void sequentialReadsAlternateArmsAndResumeAfterARestart() throws Exception {
        StudyProtocol p = protocol("sequential");
        Clock clock = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
        Path db = tmp.resolve("reads.sqlite");
        try (ReadLog log = ReadLog.open(db)) {
            log.enrol(new ReadLog.Reader(p.id(), "r1", 12, "retina", "UK", clock.instant().toString()));
            log.enrol(new ReadLog.Reader(p.id(), "r2", null, null, null, clock.instant().toString()));
            var e = assertThrows(DecisionLogException.class,
                    () -> log.enrol(new ReadLog.Reader(p.id(), "r1", null, null, null, clock.instant().toString())));
            assertEquals("Reader 'r1' is already enrolled in s-sequential.", e.getMessage());
            assertThrows(DecisionLogException.class, () -> ReaderSession.open(p, log, "nobody", clock, "t"));

            ReaderSession s = ReaderSession.open(p, log, "r1", clock, "t");
            List<String> order = p.orderFor("r1").stream().map(StudyProtocol.Case::id).toList();
            assertEquals(10, s.readsTotal());
            for (int k = 0; k < 2; k++) {
                ReaderSession.Task t = s.current();
                assertEquals(order.get(k), t.item().id());
                assertEquals(ReaderSession.UNAIDED, t.arm());
                assertThrows(IllegalArgumentException.class, () -> s.submit(List.of("NORMAL"), 3, ai("NORMAL")),
                        "an unaided read records no AI");
                s.shown();
                s.submit(List.of("NORMAL", "DR1"), 3, null);
                assertEquals(ReaderSession.AIDED, s.current().arm());
                assertEquals(order.get(k), s.current().item().id(), "the aided read of the same case follows");
                assertEquals(List.of("NORMAL", "DR1"), s.unaidedAnswers(order.get(k)));
                s.shown();
                s.submit(List.of(k == 0 ? "NORMAL" : "DR3", "DR1"), 4, ai("DR3"));
            }
            assertThrows(IllegalArgumentException.class, () -> s.submit(List.of("NORMAL", "NORMAL"), 3, null));
            assertThrows(IllegalArgumentException.class, () -> s.submit(List.of("CSC"), 3, null));
            assertThrows(IllegalArgumentException.class, () -> s.submit(List.of("NORMAL"), 6, null));
            assertEquals(4, s.readsDone());
        }
        try (ReadLog log = ReadLog.open(db)) {
            ReaderSession again = ReaderSession.open(p, log, "r1", clock, "t");
            assertEquals(4, again.readsDone(), "the restarted session resumes after the four saved reads");
            assertEquals(p.orderFor("r1").get(2).id(), again.current().item().id());
            List<ReadLog.Read> reads = log.currentReads(p.id());
            assertEquals(Boolean.FALSE, reads.get(1).changedAfterAi());
            assertEquals(Boolean.TRUE, reads.get(3).changedAfterAi());
            assertNull(reads.get(0).changedAfterAi());
            assertEquals(List.of(1, 1, 2, 2), reads.stream().map(ReadLog.Read::orderIndex).toList());
        }
    }

    @Test
    void crossoverSplitsTheCasesAndEnforcesTheWashout() throws Exception {
        StudyProtocol p = protocol("crossover");
        Instant t0 = Instant.parse("2026-11-22T10:00:00Z");
        Path db = tmp.resolve("x.sqlite");
        try (ReadLog log = ReadLog.open(db)) {
            log.enrol(new ReadLog.Reader(p.id(), "a", null, null, null, t0.toString()));
            log.enrol(new ReadLog.Reader(p.id(), "b", null, null, null, t0.toString()));
            for (String reader : List.of("a", "b")) {
                ReaderSession s = ReaderSession.open(p, log, reader, Clock.fixed(t0, ZoneOffset.UTC), "t");
                int n = 0;
                while (s.current() != null) {
                    ReaderSession.Task t = s.current();
                    assertEquals(1, t.session());
                    s.submit(List.of("NORMAL"), 2, t.aided() ? ai("NORMAL") : null);
                    n++;
                }
                assertEquals(5, n, "session 1 reads every case once");
                assertEquals(ReaderSession.Step.WASHOUT, s.step());
                assertEquals(t0.plus(Duration.ofDays(14)), s.washoutEnds());
                ReaderSession early = ReaderSession.open(p, log, reader, Clock.fixed(t0.plus(Duration.ofDays(13)), ZoneOffset.UTC), "t");
                assertEquals(ReaderSession.Step.WASHOUT, early.step(), "session 2 stays closed during the washout");
                ReaderSession later = ReaderSession.open(p, log, reader, Clock.fixed(t0.plus(Duration.ofDays(15)), ZoneOffset.UTC), "t");
                assertEquals(ReaderSession.Step.READING, later.step());
                assertEquals(2, later.current().session());
            }
            List<ReadLog.Read> reads = log.currentReads(p.id());
            // counterbalanced: case c1 is read unaided by one reader and aided by the other in session 1
            String armA = reads.stream().filter(r -> r.reader().equals("a") && r.caseId().equals("c1")).findFirst().orElseThrow().arm();
            String armB = reads.stream().filter(r -> r.reader().equals("b") && r.caseId().equals("c1")).findFirst().orElseThrow().arm();
            assertTrue(!armA.equals(armB), armA + " " + armB);
        }
    }

    @Test
    void theReportHasWilsonIntervalsMcNemarAndTheMrmcAnalysis() throws Exception {
        StudyProtocol p = protocol("sequential");
        Clock clock = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
        try (ReadLog log = ReadLog.open(tmp.resolve("r.sqlite"))) {
            for (String reader : List.of("r1", "r2", "r3")) {
                log.enrol(new ReadLog.Reader(p.id(), reader, 5, "general", "FR", clock.instant().toString()));
                ReaderSession s = ReaderSession.open(p, log, reader, clock, "t");
                while (s.current() != null) {
                    ReaderSession.Task t = s.current();
                    String truth = t.item().reference();
                    // unaided: right on NORMAL cases only; aided: right on all but c4 (reader r3 also misses c2)
                    boolean right = t.aided() ? !t.item().id().equals("c4") && !(reader.equals("r3") && t.item().id().equals("c2"))
                            : truth.equals("NORMAL") || (reader.equals("r2") && t.item().id().equals("c3"));
                    String answer = right ? truth : (truth.equals("DR1") ? "NORMAL" : "DR1");
                    s.submit(List.of(answer, right ? "MH" : truth), 2 + t.orderIndex() % 3, t.aided() ? ai(truth) : null);
                }
            }
            StudyReport r = StudyReport.compute(p, log.currentReads(p.id()), log.readers(p.id()));
            StudyReport.ReaderArm u = r.of("r1", ReaderSession.UNAIDED);
            assertEquals(2, u.top1().k());
            assertEquals(5, u.top1().n());
            // Wilson 95 % for 2/5: (0.1176, 0.7693)
            assertEquals(0.117621, u.top1().low(), 1e-5);
            assertEquals(0.769276, u.top1().high(), 1e-5);
            assertEquals(1.0, u.topK().estimate(), 1e-12, "the reference is the second answer when the first is wrong");
            assertEquals((0.4 + 0.6 + 0.4) / 3, r.arm(ReaderSession.UNAIDED).meanTop1(), 1e-12);
            assertEquals((0.8 + 0.8 + 0.6) / 3, r.arm(ReaderSession.AIDED).meanTop1(), 1e-12);
            StudyReport.McNemar m1 = r.mcnemar().get(0);
            assertEquals(0, m1.b());
            assertEquals(2, m1.c());
            assertEquals(0.5, m1.p(), 1e-12, "exact two-sided: 2 * 0.5^2");
            assertEquals(1.0, r.aiTop1().estimate(), 1e-12);
            assertTrue(r.accuracyOr() != null, r.accuracyOrNote());
            assertTrue(r.aucOr() != null, r.aucOrNote());
            // all three readers share one profile, so there is no subgroup to compare
            assertTrue(r.subgroups().isEmpty(), r.subgroups().toString());
            String html = HtmlReport.render(r, "t", "now");
            assertTrue(html.contains("<svg") && html.contains("Wilson") && html.contains("McNemar") && html.contains("ROC"));
            String imrmc = ImrmcExport.render(p, log.currentReads(p.id()));
            assertTrue(imrmc.contains("NR: 3\r\nN0: 2\r\nN1: 3\r\nNM: 2\r\nBEGIN DATA:\r\n-1,c1,truth,0\r\n"), imrmc);
            assertEquals(5 + 30, imrmc.substring(imrmc.indexOf("BEGIN DATA:")).split("\r\n").length - 1);
        }
    }
}
