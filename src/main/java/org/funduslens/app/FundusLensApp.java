package org.funduslens.app;

import java.nio.file.Path;
import java.util.List;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.funduslens.model.Offline;

/**
 * The desktop application. Arguments: an image to open, {@code --model=DIR} for a bundle other than the demo, and
 * {@code --screenshot=FILE} to save the window as PNG once the first image has been analysed and then exit.
 */
public final class FundusLensApp extends Application {
    private MainWindow window;

    /** Started by the launcher (which is not an Application subclass, so plain {@code java -jar} works). */
    public static void launchWindow(String[] args) {
        Offline.ensure();
        Application.launch(FundusLensApp.class, args);
    }

    @Override
    public void start(Stage stage) {
        List<String> args = getParameters() == null ? List.of() : getParameters().getRaw();
        Path model = null;
        Path image = null;
        Path screenshot = null;
        for (String a : args) {
            if (a.startsWith("--model=")) {
                model = Path.of(a.substring("--model=".length()));
            } else if (a.startsWith("--screenshot=")) {
                screenshot = Path.of(a.substring("--screenshot=".length()));
            } else if (!a.startsWith("--")) {
                image = Path.of(a);
            }
        }
        window = new MainWindow(stage, model);
        Scene scene = window.scene();
        stage.setScene(scene);
        stage.setTitle("FundusLens");
        stage.setWidth(1280);
        stage.setHeight(820);
        restoreBounds(stage);
        stage.setOnHidden(e -> saveBounds(stage));
        stage.show();
        if (image != null) {
            window.openImage(image);
        }
        if (screenshot != null) {
            Path target = screenshot;
            window.whenIdle(() -> {
                window.saveScreenshot(target);
                Platform.exit();
            });
        }
    }

    /** The window's last place and size, where it is still on a screen (a monitor may have gone). */
    private static void restoreBounds(Stage stage) {
        org.funduslens.util.Settings.WindowBounds b = org.funduslens.util.Settings.load().window();
        if (b == null || b.width() < 400 || b.height() < 300) {
            return;
        }
        if (javafx.stage.Screen.getScreensForRectangle(b.x(), b.y(), b.width(), b.height()).isEmpty()) {
            return;
        }
        stage.setX(b.x());
        stage.setY(b.y());
        stage.setWidth(b.width());
        stage.setHeight(b.height());
        stage.setMaximized(b.maximized());
    }

    private static void saveBounds(Stage stage) {
        try {
            org.funduslens.util.Settings.load().withWindow(new org.funduslens.util.Settings.WindowBounds(stage.getX(), stage.getY(),
                    stage.getWidth(), stage.getHeight(), stage.isMaximized())).save();
        } catch (java.io.IOException e) {
            // the window's place is a convenience; a read-only data folder must not stop the application closing
        }
    }

    /** The window, for tests that drive the application without a mouse. */
    public MainWindow window() {
        return window;
    }

    @Override
    public void stop() {
        if (window != null) {
            window.close();
        }
    }
}
