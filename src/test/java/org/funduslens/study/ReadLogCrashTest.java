package org.funduslens.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scripted reader session (the real ReaderSession) killed with SIGKILL at 50 random moments: afterwards the chain verifies, every read the session
 * reported as saved is there, and no case was read twice (each restart resumes at the next unread case).
 */
class ReadLogCrashTest {
    @TempDir
    Path tmp;

    private Process driver(Path db, int n) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ReadLogCrashDriver.class.getName(),
                db.toString(), Integer.toString(n)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    @Test
    void killedSessionsLoseNothingAndDuplicateNothing() throws Exception {
        Path db = tmp.resolve("reads.sqlite");
        Random rnd = new Random(7);
        Set<String> reportedSaved = new HashSet<>();
        int kills = 0;
        int rounds = Integer.getInteger("funduslens.crash.kills", 50);
        int cases = 6 * rounds;   // enough reads that the last sessions are still reading when they are killed
        for (int round = 0; round < rounds; round++) {
            Process p = driver(db, cases);
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
            String ready = out.readLine();
            assertTrue(ready != null && ready.startsWith("ready"), "the session started: " + ready);
            long deadline = System.nanoTime() + (5 + rnd.nextInt(120)) * 1_000_000L;
            List<String> seen = new ArrayList<>();
            Thread reader = new Thread(() -> {
                try {
                    for (String line; (line = out.readLine()) != null; ) {
                        synchronized (seen) {
                            seen.add(line);
                        }
                    }
                } catch (java.io.IOException ignored) {
                    // the process was killed
                }
            });
            reader.start();
            while (System.nanoTime() < deadline && p.isAlive()) {
                Thread.sleep(1);
            }
            if (p.isAlive()) {
                p.destroyForcibly();   // SIGKILL
                kills++;
            }
            p.waitFor(10, TimeUnit.SECONDS);
            reader.join(5000);
            synchronized (seen) {
                seen.stream().filter(l -> l.startsWith("ok ")).forEach(l -> reportedSaved.add(l.substring(3)));
            }
        }
        Process last = driver(db, cases);
        BufferedReader out = new BufferedReader(new InputStreamReader(last.getInputStream()));
        String line;
        String tail = null;
        while ((line = out.readLine()) != null) {
            tail = line;
        }
        assertEquals(0, last.waitFor());
        assertEquals("done", tail);

        ReadLog.Verification v = ReadLog.verify(db);
        assertTrue(v.intact(), v.problems().toString());
        Map<String, Integer> count = new HashMap<>();
        try (ReadLog log = ReadLog.open(db)) {
            for (ReadLog.Entry e : log.readAll()) {
                count.merge(e.read().caseId() + " " + e.read().arm(), 1, Integer::sum);
            }
        }
        assertEquals(2 * cases, count.size(), "every case read unaided and aided");
        assertTrue(count.values().stream().allMatch(c -> c == 1), "no read done twice");
        assertTrue(count.keySet().containsAll(reportedSaved), "every read reported saved is in the log");
        assertTrue(kills >= rounds / 2, "sessions were really killed mid-way: " + kills);
        System.out.println("crash test: " + kills + " SIGKILLs in " + rounds + " sessions, " + count.size() + " reads, chain intact");
    }
}
