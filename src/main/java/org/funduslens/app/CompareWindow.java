package org.funduslens.app;

import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import javafx.concurrent.Task;
import javafx.embed.swing.SwingFXUtils;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Scene;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Slider;
import javafx.scene.image.Image;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import org.funduslens.image.FundusImage;
import org.funduslens.model.Analyzer;
import org.funduslens.model.BackboneComparison;
import org.funduslens.model.BundleException;
import org.funduslens.model.Diagnosis;
import org.funduslens.model.Heatmap;
import org.funduslens.model.InferenceException;
import org.funduslens.model.Reading;

/**
 * "Compare backbones": the image read by the loaded bundle and by a second one, side by side: both top-3 lists with
 * their bundle names and DEMO badges, both maps over the same photograph (click a diagnosis to see its map), one
 * opacity slider, and a line on how far the two agree.
 */
public final class CompareWindow {
    private final Stage stage = new Stage();
    private final BorderPane root = new BorderPane();
    private final Label summary = new Label(Text.t("compare.running.the.second.bundle"));
    private final CheckBox showMaps = new CheckBox(Text.t("compare.show.heatmaps.h"));
    private final Slider opacity = new Slider(0, 1, 0.6);
    private final Map<Heatmap, Image> rendered = new IdentityHashMap<>();
    private final ImageViewer[] viewers = {new ImageViewer(), new ImageViewer()};
    private final VBox[] lists = {new VBox(6), new VBox(6)};
    private BackboneComparison comparison;
    private boolean running = true;

    public CompareWindow(Stage owner, FundusImage image, Reading current, Path secondBundle) {
        stage.initOwner(owner);
        stage.setTitle("FundusLens \u2014 compare backbones \u2014 " + image.description());
        Scene scene = new Scene(root, 1400, 820);
        Theme.apply(scene);
        root.getStyleClass().add("main-window");
        summary.setId("compareSummary");
        summary.getStyleClass().add("section-title");
        summary.setWrapText(true);
        showMaps.setSelected(true);
        showMaps.setId("compareShowMaps");
        opacity.setId("compareOpacity");
        HBox controls = new HBox(12, showMaps, new Label(Text.t("main.opacity")), opacity);
        controls.setAlignment(Pos.CENTER_LEFT);
        VBox top = new VBox(6, summary, controls);
        top.setPadding(new Insets(10, 14, 10, 14));
        top.getStyleClass().add("side-panel");
        root.setTop(top);
        Image photo = MainWindow.toFx(image);
        HBox columns = new HBox(8);
        for (int i = 0; i < 2; i++) {
            viewers[i].setImage(photo);
            viewers[i].heatmapOpacityProperty().bind(opacity.valueProperty());
            StackPane pane = new StackPane(viewers[i]);
            pane.getStyleClass().add("viewer-pane");
            VBox.setVgrow(pane, Priority.ALWAYS);
            lists[i].setPadding(new Insets(8));
            lists[i].setId("compareList" + i);
            lists[i].getChildren().add(new Label(i == 0 ? current.bundle().displayName() : "Loading\u2026"));
            VBox column = new VBox(pane, lists[i]);
            column.getStyleClass().add("side-panel");
            HBox.setHgrow(column, Priority.ALWAYS);
            column.setPrefWidth(700);
            columns.getChildren().add(column);
        }
        root.setCenter(columns);
        showMaps.selectedProperty().addListener((o, a, b) -> {
            for (ImageViewer v : viewers) {
                v.setHeatmapVisible(b);
            }
        });
        scene.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.H) {
                showMaps.setSelected(!showMaps.isSelected());
            } else if (e.getCode() == KeyCode.ESCAPE) {
                stage.close();
            }
        });
        stage.setScene(scene);
        Task<BackboneComparison> task = new Task<>() {
            @Override
            protected BackboneComparison call() throws BundleException, InferenceException {
                try (Analyzer second = Analyzer.open(secondBundle, org.funduslens.util.Settings.load().preferGpu())) {
                    Reading other = second.analyze(image, Analyzer.DEFAULT_TOP);
                    BackboneComparison c = new BackboneComparison(current, other);
                    for (Reading r : new Reading[] {current, other}) {
                        for (Heatmap h : r.heatmaps()) {
                            render(h, image);
                        }
                        if (r.attention() != null) {
                            render(r.attention(), image);
                        }
                    }
                    return c;
                }
            }
        };
        task.setOnSucceeded(e -> {
            running = false;
            show(task.getValue());
        });
        task.setOnFailed(e -> {
            running = false;
            Throwable t = task.getException();
            summary.setText(t instanceof BundleException || t instanceof InferenceException ? t.getMessage()
                    : "The second bundle could not be run: " + t);
            summary.getStyleClass().add("error");
        });
        Thread t = new Thread(task, "funduslens-compare");
        t.setDaemon(true);
        t.start();
    }

    private void render(Heatmap h, FundusImage image) {
        Image fx = SwingFXUtils.toFXImage(h.renderOverlay(image.width(), image.height()), null);
        synchronized (rendered) {
            rendered.putIfAbsent(h, fx);
        }
    }

    private void show(BackboneComparison c) {
        comparison = c;
        Reading[] readings = {c.left(), c.right()};
        for (int i = 0; i < 2; i++) {
            Reading r = readings[i];
            VBox list = lists[i];
            list.getChildren().clear();
            Label name = new Label(r.bundle().displayName());
            name.getStyleClass().add("section-title");
            list.getChildren().add(name);
            if (r.bundle().demo()) {
                Label demo = new Label(r.bundle().demoNotice());
                demo.getStyleClass().add("demo-banner");
                demo.setMaxWidth(Double.MAX_VALUE);
                list.getChildren().add(demo);
            }
            for (int k = 0; k < r.top().size(); k++) {
                list.getChildren().add(row(i, k, r.top().get(k), r.bundle().demo()));
            }
            select(i, 0);
        }
        double corr = c.mapCorrelation();
        summary.setText(String.format(Locale.ROOT, "%s \u00B7 %d of 3 diagnoses shared%s",
                c.sameFirstDiagnosis() ? "Both put " + c.left().top().get(0).name() + " first"
                        : "Different first diagnoses: " + c.left().top().get(0).name() + " vs " + c.right().top().get(0).name(),
                c.sharedInTop(3), Double.isNaN(corr) ? "" : String.format(Locale.ROOT, " \u00B7 first-diagnosis maps correlate r = %.2f", corr)));
    }

    private Region row(int side, int rank, Diagnosis d, boolean demo) {
        return Rows.diagnosis(rank, d, demo, "compare" + side + "diagnosis" + rank, () -> select(side, rank));
    }

    private void select(int side, int rank) {
        Reading r = side == 0 ? comparison.left() : comparison.right();
        Heatmap h = r.heatmaps().isEmpty() ? r.attention() : r.heatmapFor(rank);
        viewers[side].setHeatmap(h == null ? null : rendered.get(h));
        viewers[side].setHeatmapVisible(showMaps.isSelected());
        for (int k = 0; k < r.top().size(); k++) {
            var node = lists[side].lookup("#compare" + side + "diagnosis" + k);
            if (node != null) {
                node.pseudoClassStateChanged(javafx.css.PseudoClass.getPseudoClass("selected"), k == rank);
            }
        }
    }

    public Stage show() {
        stage.show();
        return stage;
    }

    public boolean busy() {
        return running;
    }

    public BackboneComparison comparison() {
        return comparison;
    }

    public Stage stage() {
        return stage;
    }

    public void saveScreenshot(Path file) throws java.io.IOException {
        Snapshots.save(root.getScene(), file);
    }
}
