package org.funduslens.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.funduslens.util.DataFolder;

/**
 * The installed bundles: the folders with a bundle.json under the shipped models folder and the user's own
 * bundles folder ({@code <data folder>/models}). Listing reads only the manifests; checksums are checked when a
 * bundle is opened.
 */
public final class BundleCatalog {
    /** One installed bundle; {@code problem} is set (and the manifest null) when its bundle.json cannot be read. */
    public record Entry(Path dir, BundleManifest manifest, boolean shipped, String problem) {
        public String label() {
            if (manifest == null) {
                return dir.getFileName() + " (unreadable)";
            }
            String name = manifest.name() == null ? manifest.id() : manifest.name();
            return manifest.demo() ? name + "  [DEMO]" : name;
        }

        @Override
        public String toString() {
            return label();
        }
    }

    private BundleCatalog() {}

    /** The user's bundles folder, where exported bundles can be copied to appear in the Models menu. */
    public static Path userBundlesDir() {
        return DataFolder.path().resolve("models");
    }

    public static List<Entry> installed() {
        List<Entry> out = new ArrayList<>();
        scan(BundleLocator.modelsDir(), true, out);
        Path user = userBundlesDir();
        if (!user.toAbsolutePath().normalize().equals(BundleLocator.modelsDir().toAbsolutePath().normalize())) {
            scan(user, false, out);
        }
        String extra = org.funduslens.util.Settings.load().bundlesFolder();
        if (extra != null && !extra.isBlank()) {
            Path p = Path.of(extra).toAbsolutePath().normalize();
            if (out.stream().noneMatch(e -> e.dir().getParent() != null && e.dir().getParent().equals(p))) {
                scan(p, false, out);
            }
        }
        return out;
    }

    private static void scan(Path root, boolean shipped, List<Entry> out) {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> s = Files.list(root)) {
            for (Path dir : s.filter(Files::isDirectory).sorted(Comparator.comparing(Path::toString)).toList()) {
                Path manifest = dir.resolve(ModelBundle.MANIFEST);
                if (!Files.isRegularFile(manifest)) {
                    continue;
                }
                try {
                    out.add(new Entry(dir.toAbsolutePath().normalize(), ModelBundle.parseManifest(Files.readAllBytes(manifest)),
                            shipped, null));
                } catch (IOException e) {
                    out.add(new Entry(dir.toAbsolutePath().normalize(), null, shipped,
                            manifest + ": cannot be read (" + e.getMessage().lines().findFirst().orElse("") + ")."));
                }
            }
        } catch (IOException e) {
            // an unreadable models folder lists nothing; opening a bundle by folder still works
        }
    }
}
