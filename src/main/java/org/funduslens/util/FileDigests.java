package org.funduslens.util;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SHA-256 of large files, remembered per path with the file's size and modification time
 * ({@code <data folder>/cache/file-digests.tsv}): a file whose size and time are unchanged since it was last hashed
 * is not read again. Hashing a 1.2 GB network takes about 1.5 s here, which would otherwise be paid at every load.
 * {@link #sha256(Path, boolean)} with {@code fresh} always reads the file (verify-bundle does).
 */
public final class FileDigests {
    private static final int MAX_ENTRIES = 500;
    private static final Object LOCK = new Object();

    private FileDigests() {}

    private record Entry(String sha256, long size, long modifiedNanos) {}

    public static String sha256(Path file, boolean fresh) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        BasicFileAttributes a = Files.readAttributes(abs, BasicFileAttributes.class);
        long mtime = a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
        String key = abs.toString();
        if (!fresh) {
            synchronized (LOCK) {
                Entry e = read().get(key);
                if (e != null && e.size() == a.size() && e.modifiedNanos() == mtime) {
                    return e.sha256();
                }
            }
        }
        String sha = Hashing.sha256(abs);
        BasicFileAttributes after = Files.readAttributes(abs, BasicFileAttributes.class);
        if (after.size() == a.size() && after.lastModifiedTime().equals(a.lastModifiedTime())) {
            synchronized (LOCK) {
                Map<String, Entry> all = read();
                all.remove(key);
                all.put(key, new Entry(sha, a.size(), mtime));
                write(all);
            }
        }
        return sha;
    }

    private static Path store() {
        return DataFolder.path().resolve("cache").resolve("file-digests.tsv");
    }

    private static Map<String, Entry> read() {
        Map<String, Entry> out = new LinkedHashMap<>();
        Path f = store();
        if (!Files.isRegularFile(f)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                String[] p = line.split("\t", 4);
                if (p.length == 4 && p[0].length() == 64) {
                    out.put(p[3], new Entry(p[0], Long.parseLong(p[1]), Long.parseLong(p[2])));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return new LinkedHashMap<>();
        }
        return out;
    }

    private static void write(Map<String, Entry> all) {
        List<String> lines = new ArrayList<>();
        int skip = Math.max(0, all.size() - MAX_ENTRIES);
        for (Map.Entry<String, Entry> e : all.entrySet()) {
            if (skip-- > 0) {
                continue;
            }
            lines.add(e.getValue().sha256() + "\t" + e.getValue().size() + "\t" + e.getValue().modifiedNanos() + "\t" + e.getKey());
        }
        Path f = store();
        try {
            Files.createDirectories(f.getParent());
            Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // without the memo the next load hashes again: slower, never wrong
        }
    }
}
