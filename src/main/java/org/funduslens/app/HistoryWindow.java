package org.funduslens.app;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;
import javafx.collections.FXCollections;
import javafx.collections.transformation.FilteredList;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.stage.FileChooser;
import javafx.stage.Stage;
import org.funduslens.study.Decision;
import org.funduslens.study.DecisionLog;
import org.funduslens.study.DecisionLogException;

/**
 * Past decisions from the log, newest first: a search box over every column (image, diagnoses, codes, note, bundle,
 * reader), the shown rows exported as CSV, and a double click opening the image again.
 */
public final class HistoryWindow {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT)
            .withZone(ZoneId.systemDefault());
    private final Stage stage = new Stage();
    private final TableView<DecisionLog.Entry> table = new TableView<>();
    private final TextField search = new TextField();
    private final Label status = new Label();
    private final DecisionLog log;
    private FilteredList<DecisionLog.Entry> shown;

    HistoryWindow(Stage owner, DecisionLog log, Consumer<Path> open) {
        this.log = log;
        stage.initOwner(owner);
        stage.setTitle(Text.t("history.funduslens.decision.history"));
        search.setId("historySearch");
        search.setPromptText(Text.t("history.search.image.diagnosis.code.note"));
        HBox.setHgrow(search, Priority.ALWAYS);
        Button export = new Button(Text.t("history.export.shown.as.csv"));
        export.setId("historyExport");
        export.setOnAction(e -> {
            FileChooser fc = new FileChooser();
            fc.setInitialFileName("decisions.csv");
            File f = fc.showSaveDialog(stage);
            if (f != null) {
                exportShown(f.toPath());
            }
        });
        HBox top = new HBox(8, search, export);
        top.setAlignment(Pos.CENTER_LEFT);
        top.setPadding(new Insets(10));
        table.setId("historyTable");
        table.getColumns().add(Rows.<DecisionLog.Entry>column("#", e -> Long.toString(e.id()), 50));
        table.getColumns().add(Rows.<DecisionLog.Entry>column("When", e -> WHEN.format(e.decision().recordedAt()), 130));
        table.getColumns().add(Rows.<DecisionLog.Entry>column("Image", e -> Path.of(e.decision().imagePath()).getFileName().toString(), 200));
        table.getColumns().add(Rows.<DecisionLog.Entry>column("AI first", e -> e.decision().aiTop().isEmpty() ? "" : e.decision().aiTop().get(0).name(), 170));
        table.getColumns().add(Rows.<DecisionLog.Entry>column("Decision", e -> e.decision().decisionName()
                + (e.decision().differential().isEmpty() ? "" : "  (then " + String.join(", ", e.decision().differential()) + ")"), 230));
        table.getColumns().add(Rows.<DecisionLog.Entry>column("Agrees", e -> e.decision().agreesWithAi() ? "yes" : "no", 60));
        table.getColumns().add(Rows.<DecisionLog.Entry>column("Conf.", e -> Integer.toString(e.decision().confidence()), 50));
        table.getColumns().add(Rows.<DecisionLog.Entry>column("Referral", e -> e.decision().referral() == null ? ""
                : e.decision().referral().name().toLowerCase(Locale.ROOT), 80));
        table.getColumns().add(Rows.<DecisionLog.Entry>column("Bundle", e -> e.decision().bundleId() + (e.decision().demo() ? " [DEMO]" : ""), 180));
        table.getColumns().add(Rows.<DecisionLog.Entry>column("Note", e -> e.decision().note(), 200));
        table.setRowFactory(t -> {
            javafx.scene.control.TableRow<DecisionLog.Entry> row = new javafx.scene.control.TableRow<>();
            row.setOnMouseClicked(ev -> {
                if (ev.getClickCount() == 2 && !row.isEmpty()) {
                    Path p = Path.of(row.getItem().decision().imagePath());
                    if (Files.isRegularFile(p)) {
                        open.accept(p);
                    } else {
                        status.setText(p + ": is no longer there.");
                    }
                }
            });
            return row;
        });
        status.setId("historyStatus");
        status.setPadding(new Insets(6, 10, 8, 10));
        BorderPane root = new BorderPane(table, top, null, status, null);
        root.getStyleClass().add("main-window");
        Scene scene = new Scene(root, 1280, 600);
        Theme.apply(scene);
        stage.setScene(scene);
        search.textProperty().addListener((o, a, b) -> filter(b));
        reload();
    }

    /** Reads the log again (newest first) and applies the search. */
    public void reload() {
        try {
            List<DecisionLog.Entry> all = new java.util.ArrayList<>(log.readAll());
            java.util.Collections.reverse(all);
            shown = new FilteredList<>(FXCollections.observableArrayList(all));
            table.setItems(shown);
            filter(search.getText());
        } catch (DecisionLogException e) {
            status.setText(e.getMessage());
        }
    }

    private void filter(String text) {
        String q = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        shown.setPredicate(e -> q.isEmpty() || haystack(e.decision()).contains(q));
        status.setText(shown.size() + " of " + shown.getSource().size() + " decisions" + (q.isEmpty() ? "" : " match \u201C" + text.strip() + "\u201D")
                + " \u00B7 " + log.file());
    }

    private static String haystack(Decision d) {
        StringBuilder b = new StringBuilder();
        b.append(d.imagePath()).append(' ').append(d.decisionCode()).append(' ').append(d.decisionName()).append(' ')
                .append(String.join(" ", d.differential())).append(' ').append(d.note()).append(' ').append(d.bundleId())
                .append(' ').append(d.reader()).append(' ').append(d.referral() == null ? "" : d.referral().name());
        d.aiTop().forEach(x -> b.append(' ').append(x.code()).append(' ').append(x.name()));
        return b.toString().toLowerCase(Locale.ROOT);
    }

    /** Writes the rows the search shows. */
    public void exportShown(Path file) {
        try {
            int n = log.exportCsv(file, List.copyOf(shown));
            status.setText("Exported " + n + " decisions to " + file + ".");
        } catch (DecisionLogException e) {
            status.setText(e.getMessage());
        }
    }

    public void setSearch(String text) {
        search.setText(text);
    }

    public int shownCount() {
        return shown.size();
    }

    public Stage show() {
        stage.show();
        return stage;
    }
}
