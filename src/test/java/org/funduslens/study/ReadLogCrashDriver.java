package org.funduslens.study;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A reader session that reads cases 1..N in order, resuming at the first unread one, and prints "ok CASE" once each
 * read is committed. ReadLogCrashTest kills it with SIGKILL at random moments.
 */
public final class ReadLogCrashDriver {
    private ReadLogCrashDriver() {}

    public static void main(String[] args) throws Exception {
        Path db = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        try (ReadLog log = ReadLog.open(db)) {
            Set<String> done = log.readCases("crash", "r1", "unaided");
            System.out.println("ready " + done.size());
            System.out.flush();
            for (int k = 1; k <= n; k++) {
                String c = "c" + k;
                if (done.contains(c)) {
                    continue;
                }
                log.append(new ReadLog.Read("crash", "p", "r1", c, "unaided", 1, k, List.of("NORMAL"), 3, 1000, null, null,
                        List.of(), false, null, null, java.time.Instant.now().toString(), "test"));
                System.out.println("ok " + c);
                System.out.flush();
            }
        }
        System.out.println("done");
    }
}
