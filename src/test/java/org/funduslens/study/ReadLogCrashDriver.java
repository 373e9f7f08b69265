package org.funduslens.study;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * A scripted reader session over a sequential study of N cases (unaided then aided read of each), resuming where the
 * log says, printing "ok CASE ARM" once each read is committed. ReadLogCrashTest kills it with SIGKILL at random moments.
 */
public final class ReadLogCrashDriver {
    private ReadLogCrashDriver() {}

    public static void main(String[] args) throws Exception {
        Path db = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        Path protocolFile = db.resolveSibling("crash-study.json");
        if (!Files.exists(protocolFile)) {
            StringBuilder cases = new StringBuilder();
            for (int k = 1; k <= n; k++) {
                cases.append(k > 1 ? ", " : "").append("{\"id\": \"c").append(k).append("\", \"image\": \"c").append(k)
                        .append(".png\", \"reference\": \"").append(k % 2 == 0 ? "NORMAL" : "DR2").append("\"}");
            }
            Path tmp = protocolFile.resolveSibling("crash-study.json.tmp");
            Files.writeString(tmp, "{\"id\": \"crash\", \"seed\": 3, \"labels\": [\"NORMAL\", \"DR2\", \"GLC\"], \"cases\": [" + cases + "]}");
            Files.move(tmp, protocolFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        StudyProtocol protocol = StudyProtocol.read(protocolFile);
        try (ReadLog log = ReadLog.open(db)) {
            if (log.readers("crash").isEmpty()) {
                log.enrol(new ReadLog.Reader("crash", "r1", null, null, null, "2026-11-22T00:00:00Z"));
            }
            ReaderSession s = ReaderSession.open(protocol, log, "r1", Clock.systemUTC(), "test");
            System.out.println("ready " + s.readsDone());
            System.out.flush();
            while (s.current() != null) {
                ReaderSession.Task t = s.current();
                s.shown();
                s.submit(List.of(t.item().reference()), 3,
                        t.aided() ? new ReaderSession.AiShown("demo", "00", List.of("NORMAL", "DR2"), false) : null);
                System.out.println("ok " + t.item().id() + " " + t.arm());
                System.out.flush();
            }
        }
        System.out.println("done");
    }
}
