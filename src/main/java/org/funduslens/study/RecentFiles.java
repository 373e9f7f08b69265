package org.funduslens.study;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.funduslens.util.DataFolder;

/** The most recently opened files, newest first, kept in the data folder as one path per line. */
public final class RecentFiles {
    public static final int MAX = 10;
    private final Path store;

    public RecentFiles(Path store) {
        this.store = store;
    }

    public static RecentFiles inDataFolder() {
        return new RecentFiles(DataFolder.path().resolve("recent-files.txt"));
    }

    public List<Path> list() {
        if (!Files.isRegularFile(store)) {
            return List.of();
        }
        try {
            List<Path> out = new ArrayList<>();
            for (String line : Files.readAllLines(store, StandardCharsets.UTF_8)) {
                if (!line.isBlank() && out.size() < MAX) {
                    out.add(Path.of(line.strip()));
                }
            }
            return out;
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** Moves {@code file} to the front; written atomically so a crash never leaves half a list. */
    public List<Path> add(Path file) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        List<Path> items = new ArrayList<>(list());
        items.remove(abs);
        items.add(0, abs);
        while (items.size() > MAX) {
            items.remove(items.size() - 1);
        }
        Files.createDirectories(store.getParent());
        Path tmp = store.resolveSibling(store.getFileName() + ".tmp");
        List<String> lines = items.stream().map(Path::toString).toList();
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        Files.move(tmp, store, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return items;
    }
}
