package org.funduslens.study;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.funduslens.image.ImageLoader;

/** The images a clinician reads in one sitting, in order, each new, predicted or decided; with a current position. */
public final class Worklist {
    public enum Status { NEW, PREDICTED, DECIDED }

    private final Map<Path, Status> items = new LinkedHashMap<>();
    private int current = -1;

    public Worklist(Collection<Path> files) {
        files.forEach(f -> items.put(f.toAbsolutePath().normalize(), Status.NEW));
    }

    /** The image files of a folder (not its sub-folders), sorted by name. */
    public static Worklist ofFolder(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return new Worklist(s.filter(Files::isRegularFile).filter(ImageLoader::isImageName).sorted().toList());
        }
    }

    public List<Path> items() {
        return List.copyOf(items.keySet());
    }

    public int size() {
        return items.size();
    }

    public Status status(Path p) {
        return items.getOrDefault(p.toAbsolutePath().normalize(), Status.NEW);
    }

    /** Marks the images that already have a decision in the log as decided. */
    public void markDecided(Set<String> decidedPaths) {
        for (Path p : items.keySet()) {
            if (decidedPaths.contains(p.toString())) {
                items.put(p, Status.DECIDED);
            }
        }
    }

    public void mark(Path p, Status s) {
        Path key = p.toAbsolutePath().normalize();
        if (items.containsKey(key) && items.get(key) != Status.DECIDED) {
            items.put(key, s);
        }
        if (s == Status.DECIDED && items.containsKey(key)) {
            items.put(key, Status.DECIDED);
        }
    }

    public int position() {
        return current;
    }

    public void moveTo(Path p) {
        current = items().indexOf(p.toAbsolutePath().normalize());
    }

    /** The next image (after the current one), or null at the end. */
    public Path next() {
        List<Path> l = items();
        if (current + 1 >= l.size()) {
            return null;
        }
        return l.get(++current);
    }

    public Path previous() {
        List<Path> l = items();
        if (current <= 0) {
            return null;
        }
        return l.get(--current);
    }

    /** How many are decided, for "7 of 10 decided". */
    public long decided() {
        return items.values().stream().filter(s -> s == Status.DECIDED).count();
    }
}
