package org.funduslens.app;

import java.nio.file.Path;
import javafx.concurrent.Task;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import org.funduslens.image.FundusImage;
import org.funduslens.image.ImageLoadException;
import org.funduslens.image.ImageLoader;

/**
 * Two photographs side by side (the same eye at two visits, or right against left), each with its eye and what it
 * is; zoom and pan each with the mouse, F fits both, Escape closes.
 */
public final class SideBySideWindow {
    private final Stage stage = new Stage();
    private final ImageViewer left = new ImageViewer();
    private final ImageViewer right = new ImageViewer();
    private final Label leftCaption = new Label();
    private final Label rightCaption = new Label();
    private FundusImage second;
    private boolean loading = true;

    SideBySideWindow(Stage owner, FundusImage first, Path other) {
        stage.initOwner(owner);
        stage.setTitle(Text.t("side.funduslens.side.by.side"));
        leftCaption.setId("leftCaption");
        rightCaption.setId("rightCaption");
        leftCaption.setText(caption(first));
        rightCaption.setText("Opening " + other.getFileName() + "\u2026");
        left.setImage(MainWindow.toFx(first));
        HBox row = new HBox(6, column(left, leftCaption), column(right, rightCaption));
        BorderPane root = new BorderPane(row);
        root.getStyleClass().add("main-window");
        Scene scene = new Scene(root, 1400, 760);
        Theme.apply(scene);
        scene.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ESCAPE) {
                stage.close();
            } else if (e.getCode() == KeyCode.F) {
                left.fit();
                right.fit();
            }
        });
        stage.setScene(scene);
        Task<FundusImage> task = new Task<>() {
            @Override
            protected FundusImage call() throws ImageLoadException {
                return ImageLoader.load(other);
            }
        };
        task.setOnSucceeded(e -> {
            second = task.getValue();
            right.setImage(MainWindow.toFx(second));
            rightCaption.setText(caption(second));
            loading = false;
        });
        task.setOnFailed(e -> {
            rightCaption.setText(task.getException() instanceof ImageLoadException ? task.getException().getMessage()
                    : other.getFileName() + ": cannot be opened (" + task.getException() + ").");
            rightCaption.getStyleClass().add("error");
            loading = false;
        });
        Thread t = new Thread(task, "funduslens-side-by-side");
        t.setDaemon(true);
        t.start();
    }

    private static VBox column(ImageViewer viewer, Label caption) {
        StackPane pane = new StackPane(viewer);
        pane.getStyleClass().add("viewer-pane");
        VBox.setVgrow(pane, Priority.ALWAYS);
        caption.getStyleClass().add("eye-badge");
        caption.setPadding(new Insets(6, 10, 6, 10));
        caption.setWrapText(true);
        VBox box = new VBox(pane, caption);
        box.getStyleClass().add("side-panel");
        HBox.setHgrow(box, Priority.ALWAYS);
        box.setPrefWidth(700);
        return box;
    }

    private static String caption(FundusImage img) {
        return Rows.eye(img.eye()) + "   \u00B7   " + img.description() + "   " + img.width() + "\u00D7" + img.height();
    }

    public boolean busy() {
        return loading;
    }

    public FundusImage second() {
        return second;
    }

    public Stage show() {
        stage.show();
        return stage;
    }

    public Stage stage() {
        return stage;
    }

    public void saveScreenshot(Path file) throws java.io.IOException {
        Snapshots.save(stage.getScene(), file);
    }
}
