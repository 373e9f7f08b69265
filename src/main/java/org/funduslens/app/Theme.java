package org.funduslens.app;

import javafx.scene.Scene;
import org.funduslens.util.Settings;

/** Dresses every window the same way: the base style sheet, the dark one unless the user chose light, the text size. */
final class Theme {
    private Theme() {}

    static void apply(Scene scene) {
        apply(scene, Settings.load());
    }

    static void apply(Scene scene, Settings s) {
        scene.getStylesheets().setAll(Theme.class.getResource("funduslens.css").toExternalForm());
        if ("dark".equals(s.theme())) {
            scene.getStylesheets().add(Theme.class.getResource("funduslens-dark.css").toExternalForm());
        }
        scene.getRoot().setStyle(String.format(java.util.Locale.ROOT, "-fx-font-size: %.1fpx;", 13 * s.fontScale()));
    }
}
