package org.funduslens.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Scene;
import javax.imageio.ImageIO;

/** A window's scene as it is drawn now, written as PNG (the screenshots in docs/ and the --screenshot option). */
final class Snapshots {
    private Snapshots() {}

    static void save(Scene scene, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        ImageIO.write(SwingFXUtils.fromFXImage(scene.snapshot(null), null), "png", file.toFile());
    }
}
